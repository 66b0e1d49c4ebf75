import { test, expect } from "./fixtures";
import { demo, signIn } from "./accounts";

// A field error is shown next to its field, and nothing else the user typed
// is lost: the page's data reloads after the action (it tracks the action),
// and the page keeps its content while it does (PageData is a Transition).

/** Monday of last week, as yyyy-mm-dd (UTC, as the server judges days). */
function lastMonday(): string {
  const now = new Date();
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7) - 7);
  return monday.toISOString().slice(0, 10);
}

test("the hours form keeps what the student typed after a field error", async ({ page }) => {
  await signIn(page, demo("jordan"));
  await page.getByRole("link", { name: /^Your externship hours in/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Externship hours" })).toBeVisible();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  const form = page.locator("form", { has: page.getByRole("button", { name: "Log hours" }) });
  const day = lastMonday();
  await form.getByLabel("Day").fill(day);
  await form.getByLabel("Start").fill("09:00");
  await form.getByLabel("End").fill("08:00");
  await form.getByLabel("What you did").fill("Phlebotomy and EKGs");
  await form.getByRole("button", { name: "Log hours" }).click();
  await expect(page.locator("#field-end-error")).toHaveText(/end time must be after the start/);
  await expect(form.getByLabel("End")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByLabel("Day")).toHaveValue(day);
  await expect(form.getByLabel("Start")).toHaveValue("09:00");
  await expect(form.getByLabel("End")).toHaveValue("08:00");
  await expect(form.getByLabel("What you did")).toHaveValue("Phlebotomy and EKGs");
});

test("the evaluation form keeps what the preceptor typed after a field error", async ({ page }) => {
  await signIn(page, demo("preceptor"));
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  const record = await page.getByTestId("my-students").getByRole("link").first().getAttribute("href");
  await page.goto(`${record}/externship-evaluation?kind=of_student`);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  await expect(page.getByRole("heading", { level: 1, name: /^Evaluation of / })).toBeVisible();
  const items = page.locator("fieldset.rating");
  const n = await items.count();
  expect(n).toBeGreaterThan(1);
  // The first item below expectations with no comment: the error is about it.
  await items.nth(0).getByRole("radio", { name: "Below expectations", exact: true }).check();
  for (let i = 1; i < n; i++) await items.nth(i).getByRole("radio", { name: "Meets expectations", exact: true }).check();
  await items.nth(1).getByRole("textbox").fill("Steady with patients.");
  const readiness = page.getByRole("group", { name: "Overall readiness" });
  await readiness.getByRole("radio", { name: "Ready, with further support in the areas noted" }).check();
  await page.getByLabel("Comments", { exact: true }).fill("More practice with injections.");
  await page.getByRole("button", { name: "Submit evaluation" }).click();
  await expect(items.nth(0).locator(".field-error").last()).toHaveText(/Say what fell below expectations/);
  await expect(items.nth(0).getByRole("radio", { name: "Below expectations", exact: true })).toBeChecked();
  for (let i = 1; i < n; i++) await expect(items.nth(i).getByRole("radio", { name: "Meets expectations", exact: true })).toBeChecked();
  await expect(items.nth(1).getByRole("textbox")).toHaveValue("Steady with patients.");
  await expect(readiness.getByRole("radio", { name: "Ready, with further support in the areas noted" })).toBeChecked();
  await expect(page.getByLabel("Comments", { exact: true })).toHaveValue("More practice with injections.");
});
