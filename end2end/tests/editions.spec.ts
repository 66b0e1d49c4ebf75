import { test, expect, checkAxe } from "./fixtures";
import { answer, drawnKeys } from "./content";
import { demo, signIn } from "./accounts";

// Issue 13: a retake is not the same test.
test("a student retakes a knowledge check and sees another draw", async ({ page }, testInfo) => {
  // A demo student of their own per project (both projects share one server).
  await signIn(page, demo(testInfo.project.name === "phone" ? "morgan" : "student"));
  const slug = "venipuncture";
  await page.goto(`/modules/${slug}`);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  const attempt = page.getByTestId("quiz-attempt");
  const before = await attempt.textContent();
  const shown = async () =>
    page.locator("[data-question]").evaluateAll((qs) =>
      qs.map((q) => `${q.getAttribute("data-question")}: ${[...q.querySelectorAll("label, .order-text")].map((l) => l.textContent?.trim()).join(" | ")}`),
    );
  const first = await shown();
  // A reload shows the same attempt.
  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  expect(await shown()).toEqual(first);

  for (const key of await drawnKeys(page, slug)) await answer(page.locator(`[data-question="${key.id}"]`), key, page);
  await page.getByRole("button", { name: "Submit answers" }).click();
  await expect(page.getByTestId("quiz-summary")).toContainText("Module mastered.");
  await page.getByRole("button", { name: "Take another attempt" }).click();
  await expect(attempt).not.toHaveText(before ?? "");
  await expect(page.getByTestId("quiz-summary")).toHaveText("");
  const second = await shown();
  expect(second).not.toEqual(first);
  await expect(page.locator("#knowledge-check-title")).toBeFocused();
  await checkAxe(page);
});

// Issue 13: a program's own framework, imported from CSV through the product.
test("a director imports a framework CSV, sees the bad row by line, fixes it and imports", async ({ page }, testInfo) => {
  const unique = `${testInfo.project.name}-${Date.now()}`;
  await signIn(page, demo("director"));
  const program = await page.getByRole("link", { name: /^People of / }).getAttribute("href");
  const id = program!.split("/")[2];
  await page.goto(`/programs/${id}/competencies`);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  await expect(page.getByTestId("current-edition")).toContainText("MAERB Core Curriculum (2015)");

  const form = page.locator("form", { has: page.getByRole("button", { name: "Import" , exact: true }) });
  await form.getByLabel("Name").fill(`Our own list ${unique}`);
  await form.getByLabel("Year or version").fill("2027");
  const bad = [
    "code,title,domain,steps",
    `OWN.P.1,Take a pulse ${unique},psychomotor,*Identify the patient | Count for 30 seconds`,
    "OWN.P.2,Check a glucose,psychomotor,Wash hands | Test the drop",
  ].join("\n");
  await form.getByLabel("Or paste the CSV").fill(bad);
  await form.getByRole("button", { name: "Check the file" }).click();
  const report = page.getByTestId("import-report");
  await expect(report).toContainText("Nothing was imported");
  await expect(report).toContainText("Line 3: competency OWN.P.2 marks no step critical");
  // The typed name and file stay, and the row is fixed in place.
  await expect(form.getByLabel("Name")).toHaveValue(`Our own list ${unique}`);
  await form.getByLabel("Or paste the CSV").fill(bad.replace("Wash hands | Test the drop", "Wash hands | *Test the drop"));
  await form.getByRole("button", { name: "Check the file" }).click();
  await expect(report).toContainText("The file is ready to import: 2 psychomotor");
  await form.getByRole("button", { name: "Import", exact: true }).click();
  await expect(report).toContainText("Imported as edition");
  await checkAxe(page);
  // It is offered as an edition to move to, with a preview first.
  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  await page.getByLabel("Edition", { exact: true }).selectOption({ label: `Our own list ${unique} (2 competencies, imported)` });
  await page.getByRole("button", { name: "Preview the move" }).click();
  await expect(page.getByTestId("switch-preview")).toContainText(`to Our own list ${unique}`);
});
