import { test, expect } from "./fixtures";
import { answer, answerKey, drawnKeys, explanations } from "./content";

const SLUG = "order-of-draw";

test("the catalogue groups modules by area and searches titles and text", async ({ page, hydrated, axe }) => {
  await hydrated("/modules");
  await expect(page.getByRole("heading", { level: 1, name: "Skill modules" })).toBeVisible();
  for (const area of ["Phlebotomy", "Cardiology", "Infection control", "Medication administration", "Patient assessment"]) {
    await expect(page.getByRole("heading", { level: 2, name: area })).toBeVisible();
  }
  await expect(page.getByTestId("module-status").first()).toHaveText("Not started");
  await axe();

  await page.getByLabel("Search modules").fill("precordial");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/modules\?q=precordial/);
  await expect(page.getByRole("link", { name: /12-lead/i })).toBeVisible();
  await expect(page.getByRole("link", { name: /venipuncture/i })).toHaveCount(0);

  await page.goto("/modules?q=zzzz-nothing");
  await expect(page.getByText(/No module matches/)).toBeVisible();
});

test("a module page shows objectives, contents, text and references, and passes axe", async ({ page, hydrated, axe }) => {
  await hydrated(`/modules/${SLUG}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(/order of draw/i);
  await expect(page.getByRole("heading", { name: "Learning objectives" })).toBeVisible();
  const toc = page.getByRole("navigation", { name: "On this page" });
  await expect(toc.getByRole("link", { name: "References" })).toBeVisible();
  await toc.getByRole("link", { name: "References" }).click();
  await expect(page).toHaveURL(/#references$/);
  await expect(page.locator(".module-body .step-critical").first()).toBeVisible();
  await axe();
});

test("the answer key is not in the page before the student submits", async ({ page, request }) => {
  const html = await (await request.get(`/modules/${SLUG}`)).text();
  for (const explanation of explanations(SLUG)) {
    expect(html).not.toContain(explanation.slice(0, 60));
  }
  expect(html).not.toContain("- [x]");
  // Ordering items are not shown in the correct order, and a single-choice
  // key is not always where the author wrote it.
  await page.goto(`/modules/${SLUG}`);
  const drawn = await drawnKeys(page, SLUG);
  for (const order of drawn.filter((k) => k.type === "order")) {
    const shown = await page.locator(`[data-question="${order.id}"] .order-text`).allTextContents();
    expect([...shown].sort()).toEqual([...order.correct].sort());
    expect(shown).not.toEqual(order.correct);
  }
  const moved = [];
  for (const single of drawn.filter((k) => k.type === "single")) {
    const shown = await page.locator(`[data-question="${single.id}"] label`).allTextContents();
    moved.push(shown.map((t) => t.trim()).indexOf(single.correct[0]) !== single.options.indexOf(single.correct[0]));
  }
  expect(moved.some((m) => m), "options are shuffled for the attempt").toBe(true);
});


test("a visitor answers the knowledge check: one wrong, then all right on another attempt", async ({ page, hydrated }) => {
  await hydrated(`/modules/${SLUG}`);
  const keys = await drawnKeys(page, SLUG);
  expect(keys.length).toBeGreaterThanOrEqual(8);
  const first = keys.find((k) => k.type === "single")!;
  const wrong = first.options.find((o) => !first.correct.includes(o))!;

  // First attempt: everything right except one single-choice question.
  for (const key of keys) {
    const q = page.locator(`[data-question="${key.id}"]`);
    if (key === first) await q.getByLabel(wrong, { exact: true }).check();
    else await answer(q, key, page);
  }
  await page.getByRole("button", { name: "Submit answers" }).click();
  const summary = page.getByTestId("quiz-summary");
  const n = keys.length;
  await expect(summary).toHaveText(new RegExp(`^You scored ${n - 1} of ${n} \\(\\d+%\\)`));
  const firstQ = page.locator(`[data-question="${first.id}"]`);
  await expect(firstQ.getByTestId("feedback")).toContainText("Not quite.");
  await expect(firstQ.getByTestId("feedback")).toContainText(first.correct[0]);

  // Another attempt, all right.
  await page.getByRole("button", { name: "Take another attempt" }).click();
  await expect(summary).toHaveText("");
  for (const key of await drawnKeys(page, SLUG)) await answer(page.locator(`[data-question="${key.id}"]`), key, page);
  await page.getByRole("button", { name: "Submit answers" }).click();
  await expect(summary).toHaveText(new RegExp(`^You scored (\\d+) of \\1 \\(100%\\)\\. Module mastered\\.$`));
});

test("module figures are served with caching headers", async ({ request }) => {
  const response = await request.get("/module-images/precordial-leads.svg");
  expect(response.status()).toBe(200);
  expect(response.headers()["cache-control"]).toContain("max-age=");
  expect(response.headers()["content-security-policy"]).toContain("default-src 'none'");
  // The module files (with their answer keys) are not reachable.
  expect((await request.get("/module-images/../order-of-draw.md")).status()).toBe(404);
});

test("an unknown module answers 404", async ({ page }) => {
  const response = await page.goto("/modules/no-such-module");
  expect(response?.status()).toBe(404);
});

test("a module opened by client-side navigation shows its whole text", async ({ page, hydrated }) => {
  await hydrated("/modules");
  await page.getByRole("link", { name: "12-Lead EKG" }).click();
  await expect(page).toHaveURL(/\/modules\/ekg-12-lead$/);
  await expect(page.getByRole("heading", { level: 1, name: "12-Lead EKG" })).toBeVisible();
  await expect(page.locator(".module-body h2").first()).toBeVisible();
  await expect(page.locator(".module-body figure img")).toHaveAttribute("alt", /.+/);
});
