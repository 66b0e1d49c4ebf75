import { test, expect } from "./fixtures";
import { answer, drawnKeys } from "./content";
import { demo, signIn } from "./accounts";

const SLUG = "order-of-draw";

test("a signed-in student's knowledge check shows as progress on the catalogue and their record", async ({
  page,
  axe,
}, testInfo) => {
  // One demo student per browser project: both run against one server.
  const student = testInfo.project.name === "phone" ? "casey" : "jordan";
  await signIn(page, demo(student));
  await expect(page.getByRole("heading", { name: /^Hello, / })).toBeVisible();

  await page.goto("/modules");
  const card = page.locator(".module-card", { has: page.getByRole("link", { name: "Order of draw, tube additives and specimen handling" }) });
  await expect(card.getByTestId("module-status")).toHaveText("Not started");

  await page.goto(`/modules/${SLUG}`);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  for (const key of await drawnKeys(page, SLUG)) await answer(page.locator(`[data-question="${key.id}"]`), key, page);
  await page.getByRole("button", { name: "Submit answers" }).click();
  await expect(page.getByTestId("quiz-summary")).toContainText("Module mastered.");
  // How far the student read is recorded as they scroll (answering the
  // questions below the text already took them past its end).
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.waitForLoadState("networkidle");

  await page.goto("/modules");
  await expect(card.getByTestId("module-status")).toHaveText("Mastered");
  await expect(card).toContainText("best score 100%");
  await axe();

  await page.goto("/");
  await page.getByRole("link", { name: /^Your record in / }).click();
  await expect(page.getByText(/^1 of \d+ knowledge checks passed\.$/)).toBeVisible();
  const row = page.getByRole("row", { name: /Order of draw, tube additives/ });
  await expect(row).toContainText("Yes");
  await expect(row.getByRole("cell").nth(1)).toHaveText("100%");
  await axe();
});
