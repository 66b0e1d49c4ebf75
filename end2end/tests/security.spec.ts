import { test, expect, checkAxe } from "./fixtures";
import { PROGRAM, demo, signIn } from "./accounts";

// Issue 12: a name carrying markup must stay text on every page that shows
// it, title included. Before the fix, `</title><script>` in a student's name
// ran script in the browser of whoever opened their record.
test("a student named with markup runs no script on the pages that show the name", async ({ page }, testInfo) => {
  const dialogs: string[] = [];
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  const unique = `${testInfo.project.name}-${Date.now()}`;
  const name = `<img src=x onerror=alert(1)></title><script>alert(2)</script> Zed ${unique}`;

  await signIn(page, demo("director"));
  await page.getByRole("link", { name: `People of ${PROGRAM}` }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const roster = page.locator("form", { has: page.getByRole("button", { name: "Import roster" }) });
  await roster.getByLabel("Cohort").fill(`Markup ${unique}`);
  await roster.getByLabel("Roster (CSV)").fill(`name,email,student id\n${name},zed-${unique}@example.org,Z-${unique}\n`);
  await roster.getByRole("button", { name: "Import roster" }).click();
  await expect(page.getByText(/1 students added/)).toBeVisible();

  // The record, through the link a director would follow.
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page).toHaveTitle(`${name} · Checkoff`);
  const record = new URL(page.url()).pathname;
  for (const path of [record, `${record}/checklist`, `${record}/hours`, `${record}/competencies/I.P.1.a`]) {
    await page.goto(path);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
    await expect(page.locator("main")).toContainText(name);
    expect(await page.title()).not.toBe("");
  }
  await checkAxe(page);
  const program = record.split("/")[2];
  for (const path of [`/programs/${program}/dashboard`, `/programs/${program}/summary`, `/programs/${program}/checklists`]) {
    await page.goto(path);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  }
  expect(dialogs, "dialogs opened by script in a name").toEqual([]);
});
