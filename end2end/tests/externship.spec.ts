import { test, expect, checkAxe } from "./fixtures";
import { demo, signIn } from "./accounts";
import { lastWeek } from "./dates";

// Each project logs a different student's week: Jordan on the phone, Casey on
// the laptop (both placed with Priya two weeks ago, nothing logged yet).
const student = (project: string) =>
  project.includes("phone") ? { login: "jordan", name: "Jordan Lee" } : { login: "casey", name: "Casey Okafor" };


test("a student logs a week, the preceptor approves it in one action, and the director's dashboard and summary show it", async ({
  browser,
}, testInfo) => {
  test.setTimeout(120_000);
  const who = student(testInfo.project.name);

  // The student logs Monday to Friday of last week.
  const s = await (await browser.newContext()).newPage();
  await signIn(s, demo(who.login));
  await s.getByRole("link", { name: /^Your externship hours in/ }).click();
  await expect(s.getByRole("heading", { level: 1, name: "Externship hours" })).toBeVisible();
  await expect(s.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  await expect(s.getByTestId("hours-totals")).toContainText("0 of 160 h approved");
  await checkAxe(s);
  const form = s.locator("form", { has: s.getByRole("button", { name: "Log hours" }) });
  // A bad value is shown next to its field, and the rest of the form is kept.
  await form.getByLabel("Day").fill(lastWeek(0));
  await form.getByLabel("Start").fill("08:00");
  await form.getByLabel("End").fill("07:00");
  await form.getByLabel("What you did").fill("Rooming patients, vital signs, injections");
  await form.getByRole("button", { name: "Log hours" }).click();
  await expect(s.locator("#field-end-error")).toHaveText(/end time must be after the start/);
  await expect(form.getByLabel("What you did")).toHaveValue("Rooming patients, vital signs, injections");
  await checkAxe(s);
  for (let day = 0; day < 5; day++) {
    await form.getByLabel("Day").fill(lastWeek(day));
    await form.getByLabel("Start").fill("08:00");
    await form.getByLabel("End").fill("16:00");
    await form.getByLabel("What you did").fill(`Clinic day ${day + 1}: rooming patients, vital signs, injections`);
    await form.getByRole("button", { name: "Log hours" }).click();
    await expect(s.getByTestId("logged")).toHaveText(new RegExp(`Logged 8 h for .*${Number(lastWeek(day).slice(8))} `));
  }
  await expect(s.getByTestId("hours-totals")).toContainText("40 h awaiting the preceptor");

  // The preceptor approves the week from their home page: one action.
  const p = await (await browser.newContext()).newPage();
  await signIn(p, demo("preceptor"));
  await expect(p.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  const group = p.getByTestId("verify-group").filter({ hasText: who.name }).filter({ hasText: "5 entries" });
  await expect(group).toContainText("Approve 5 entries (40 h)");
  await checkAxe(p);
  const started = Date.now();
  await group.getByRole("button", { name: /^Approve 5 entries/ }).click();
  await expect(p.getByTestId("verify-status")).toHaveText("Approved 40 h.");
  await expect(p.getByTestId("verify-group").filter({ hasText: who.name }).filter({ hasText: "5 entries" })).toHaveCount(0);
  console.log(`preceptor approves a week (${testInfo.project.name}): 1 action, ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // The student sees the hours approved.
  await s.reload();
  await expect(s.getByTestId("hours-totals")).toContainText("40 of 160 h approved");

  // The director's dashboard and accreditation summary reflect it.
  const d = await (await browser.newContext()).newPage();
  await signIn(d, demo("director"));
  await d.getByRole("link", { name: /^Cohort dashboard of/ }).click();
  await expect(d.getByRole("heading", { level: 1, name: "Cohort dashboard" })).toBeVisible();
  const row = d.getByTestId("cohort-grid").locator("tbody tr", { hasText: who.name });
  await expect(row).toContainText("40/160");
  await expect(d.getByTestId("at-risk")).toContainText("Riley Rivera");
  await expect(d.locator("svg[role=img]").first()).toBeVisible();
  await checkAxe(d);
  await d.getByRole("link", { name: "Accreditation summary" }).click();
  await expect(d.getByRole("heading", { level: 1, name: "Accreditation summary" })).toBeVisible();
  await expect(d.getByTestId("exceptions").locator("tr", { hasText: who.name })).toContainText("40 of 160 h approved");
  await checkAxe(d);
  const csv = await d.request.get(d.url().replace(/summary.*$/, "summary.csv?cohort=0"));
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toMatch(new RegExp(`${who.name},[^\\n]*,40,160,no`));
});
