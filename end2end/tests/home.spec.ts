import { test, expect } from "./fixtures";

test("home page renders on the server, hydrates, and its checklist responds", async ({ page, hydrated }) => {
  await hydrated("/");
  await expect(page.getByRole("heading", { level: 1, name: "Checkoff" })).toBeVisible();
  await expect(page).toHaveTitle("Checkoff");

  const tally = page.getByTestId("preview-tally");
  await expect(tally).toHaveText("0 of 4 steps performed; 3 critical steps missed.");
  await page.getByLabel("Remove hand and wrist jewellery").check();
  await page.getByLabel(/Apply enough rub/).check();
  await expect(tally).toHaveText("2 of 4 steps performed; 2 critical steps missed.");
  await page.getByLabel(/Rub palms/).check();
  await page.getByLabel(/Keep rubbing/).check();
  await expect(tally).toHaveText("4 of 4 steps performed; all critical steps met.");
});

test("the server check reaches the database through a server function", async ({ page, hydrated }) => {
  await hydrated("/");
  await page.getByRole("button", { name: "Check the server" }).click();
  await expect(page.getByTestId("server-status")).toHaveText(
    /^Connected to SQLite 3\.\d+\.\d+ \(schema version \d+\)\.$/,
  );
});

test("the checklist can be used with the keyboard alone", async ({ page, hydrated }) => {
  await hydrated("/");
  const first = page.getByLabel("Remove hand and wrist jewellery");
  await first.focus();
  await page.keyboard.press("Space");
  await expect(first).toBeChecked();
  await expect(page.getByTestId("preview-tally")).toHaveText(/^1 of 4 steps performed/);
});

test("home page has no axe-core accessibility violations", async ({ page, hydrated, axe }) => {
  await hydrated("/");
  await axe();
});

test("an unknown page answers 404 with a way home", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Go to the home page" })).toHaveAttribute("href", "/");
});
