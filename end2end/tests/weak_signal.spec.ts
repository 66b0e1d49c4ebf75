// A clinic's weak signal: pages must work as soon as their HTML arrives,
// before the browser bundle, and what a user does meanwhile must survive the
// bundle's arrival.
import type { Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { DEMO_PASSWORD, demo, signIn, signInAsAdmin } from "./accounts";
import { lastWeek } from "./dates";

// Codes not used by other tests, one per project (they share one database).
const noScriptCode = (project: string) => (project.includes("phone") ? "I.P.1.f" : "I.P.1.e");

/** An evaluation sheet's address, as the lab session links it. */
async function labSheetUrl(page: Page, student: string): Promise<string> {
  await signIn(page, demo("instructor"));
  await page.getByRole("link", { name: /^Lab session in/ }).click();
  await page.getByLabel("Competency").selectOption({ label: "I.P.2.b Perform: venipuncture" });
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page.getByRole("heading", { level: 2, name: /I\.P\.2\.b/ })).toBeVisible();
  return (await page.getByRole("link", { name: `Evaluate ${student}` }).getAttribute("href"))!;
}

test("with JavaScript off, a preceptor signs from the e-mailed link; a missing attestation keeps the marks", async ({
  browser,
}, testInfo) => {
  test.setTimeout(90_000);
  const code = noScriptCode(testInfo.project.name);
  // Sam asks (with JavaScript) for a sign-off.
  const sam = await (await browser.newContext()).newPage();
  await signIn(sam, demo("student"));
  await sam.getByRole("link", { name: /^Your record in/ }).click();
  await expect(sam.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  const row = sam.locator(`tr[data-code="${code}"]`);
  await row.getByRole("button", { name: /Ask preceptor/ }).click();
  await expect(row.getByText("Requested")).toBeVisible();

  const admin = await (await browser.newContext()).newPage();
  await signInAsAdmin(admin);
  await admin.goto("/admin/outbox");
  const mail = admin.locator(`li[data-to="${demo("preceptor")}"]`).filter({ hasText: `(${code})` }).first();
  const link = (await mail.locator(".outbox-body").textContent())!.match(/http\S+token=[0-9a-f]{64}\S*/)![0];

  // The preceptor's phone runs no script at all.
  const preceptor = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await preceptor.goto(link);
  await preceptor.getByRole("button", { name: "Continue" }).click();
  await expect(preceptor).toHaveURL(new RegExp(`/evaluate/${code.replace(/\./g, "\\.")}`));
  await expect(preceptor.getByText("The student asked you to sign this off.")).toBeVisible();
  const steps = preceptor.locator("ol.checklist input[type=checkbox]");
  const total = await steps.count();
  expect(total).toBeGreaterThan(3);
  await steps.nth(0).check();
  await steps.nth(2).check();
  await preceptor.getByLabel("Comment for the student (optional)").fill("Good patient identification.");
  // No attestation: the server shows the sheet again, error by the box.
  await preceptor.getByRole("button", { name: "Sign" }).click();
  await expect(preceptor.locator("#attest-error")).toHaveText("Confirm the attestation to sign.");
  await expect(steps.nth(0)).toBeChecked();
  await expect(steps.nth(1)).not.toBeChecked();
  await expect(steps.nth(2)).toBeChecked();
  await expect(preceptor.getByLabel("Comment for the student (optional)")).toHaveValue("Good patient identification.");
  // (axe-core runs as page script: it is run on this page with script on, in signoffs.spec.ts.)
  // "Mark every step performed" works without script too (nothing is signed).
  await preceptor.getByRole("button", { name: "Mark every step performed" }).click();
  for (let i = 0; i < total; i++) await expect(steps.nth(i)).toBeChecked();
  await preceptor.getByRole("checkbox", { name: /personally observed/ }).check();
  await preceptor.getByRole("button", { name: "Sign" }).click();
  const result = preceptor.getByTestId("sign-result");
  await expect(result.getByRole("heading")).toHaveText("Signed: passed");
  await expect(result).toContainText(`${total} of ${total} steps met (100%)`);
  // Reloading the result signs nothing again.
  await preceptor.reload();
  await expect(result.getByRole("heading")).toHaveText("Signed: passed");
  // (axe-core runs as page script: it is run on this page with script on, in signoffs.spec.ts.)

  await sam.reload();
  await expect(row.getByText("Complete")).toBeVisible();
  await row.getByRole("link", { name: new RegExp(code.replace(/\./g, "\\.")) }).click();
  await expect(sam.getByRole("heading", { level: 2, name: /^Passed · 100%/ })).toHaveCount(1);
});

test("steps ticked before the page's code arrives stay ticked and are counted", async ({ page }, testInfo) => {
  const student = testInfo.project.name.includes("phone") ? "Morgan Chen" : "Casey Okafor";
  const url = await labSheetUrl(page, student);
  // Hold the bundle back until the user has ticked two steps.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/pkg/*.wasm", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(url, { waitUntil: "domcontentloaded" });
  await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");
  const steps = page.locator("ol.checklist input[type=checkbox]");
  await steps.nth(0).check();
  await steps.nth(3).check();
  await page.getByLabel("Comment for the student (optional)").fill("Typed before the code arrived");
  release();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  await expect(steps.nth(0)).toBeChecked();
  await expect(steps.nth(3)).toBeChecked();
  await expect(steps.nth(1)).not.toBeChecked();
  await expect(page.getByLabel("Comment for the student (optional)")).toHaveValue("Typed before the code arrived");
  await expect(page.getByTestId("tally")).toHaveText(/^2 of 18 steps performed/);
  // And the page works as before: one more tick is counted at once.
  await steps.nth(1).check();
  await expect(page.getByTestId("tally")).toHaveText(/^3 of 18 steps performed/);
});

/** First contentful paint and time until the page's code has hydrated it,
 *  in ms from the start of navigation, on a throttled network. */
async function timings(page: Page, path: string) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  // About 1.6 Mbps down, 750 kbps up, 150 ms round trip.
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
  let bytes = 0;
  cdp.on("Network.loadingFinished", (e: { encodedDataLength: number }) => (bytes += e.encodedDataLength));
  await page.goto(path, { waitUntil: "commit" });
  // Checked every animation frame, so the figure is within ~16 ms.
  await page.waitForFunction(() => document.body?.dataset.hydrated === "true", null, { polling: "raf", timeout: 40_000 });
  const t = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    return { fcp: fcp ? fcp.startTime : NaN, hydrated: performance.now(), start: nav.startTime };
  });
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  return { fcp: t.fcp - t.start, interactive: t.hydrated - t.start, kilobytes: bytes / 1024 };
}

test("throttled network (1.6 Mbps, 150 ms): paint and interactive times of a preceptor's sheet and a student's module", async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(120_000);
  const student = testInfo.project.name.includes("phone") ? "Morgan Chen" : "Casey Okafor";
  const sheet = await labSheetUrl(page, student);
  const learner = await (await browser.newContext()).newPage();
  await signIn(learner, demo("student"));
  const figures: string[] = [];
  for (const [name, p, path] of [
    ["evaluation sheet (instructor)", page, sheet],
    ["module page (student)", learner, "/modules/venipuncture"],
  ] as const) {
    const t = await timings(p, path);
    const line = `${name}: first contentful paint ${t.fcp.toFixed(0)} ms, interactive ${t.interactive.toFixed(0)} ms, ${t.kilobytes.toFixed(0)} KB transferred`;
    figures.push(line);
    console.log(`throttled (${testInfo.project.name}) ${line}`);
    testInfo.annotations.push({ type: "throttled", description: line });
    expect(t.fcp).toBeLessThan(3_000);
  }
});


test("with JavaScript off, a student signs in, logs a day of hours, and sees a bad entry's error by its field", async ({
  browser,
}, testInfo) => {
  const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await page.goto("/sign-in");
  const signInForm = page.locator("form", { has: page.getByLabel("Password") });
  // A wrong password first: the error by the field, the e-mail kept.
  await signInForm.getByLabel("E-mail").fill(demo("student"));
  await signInForm.getByLabel("Password").fill("not the password");
  await signInForm.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#field-password-error")).not.toBeEmpty();
  await expect(signInForm.getByLabel("E-mail")).toHaveValue(demo("student"));
  await expect(signInForm.getByLabel("Password")).toHaveValue("");
  await signInForm.getByLabel("Password").fill(DEMO_PASSWORD);
  await signInForm.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname !== "/sign-in");

  await page.getByRole("link", { name: /^Your externship hours in/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Externship hours" })).toBeVisible();
  const form = page.locator("form", { has: page.getByRole("button", { name: "Log hours" }) });
  // Saturday or Sunday of last week: a day no other test logs for this student.
  const day = lastWeek(testInfo.project.name.includes("phone") ? 5 : 6);
  const did = `Weekend clinic (${testInfo.project.name}): vital signs`;
  await form.getByLabel("Day").fill(day);
  await form.getByLabel("Start").fill("09:00");
  await form.getByLabel("End").fill("08:00");
  await form.getByLabel("What you did").fill(did);
  await form.getByRole("button", { name: "Log hours" }).click();
  await expect(page.locator("#field-end-error")).toHaveText(/end time must be after the start/);
  await expect(form.getByLabel("What you did")).toHaveValue(did);
  await expect(form.getByLabel("Start")).toHaveValue("09:00");
  await form.getByLabel("End").fill("13:00");
  await form.getByRole("button", { name: "Log hours" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Externship hours" })).toBeVisible();
  await expect(page.getByTestId("hours-entry").filter({ hasText: did })).toHaveCount(1);
});
