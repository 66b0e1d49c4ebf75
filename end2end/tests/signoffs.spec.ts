import { test, expect, checkAxe } from "./fixtures";
import { demo, signIn, signInAsAdmin } from "./accounts";

// Each project (phone, laptop) works on its own competency and student, so
// the two can run at once against the one demo database.
const requestCode = (project: string) => (project.includes("phone") ? "I.P.1.b" : "I.P.1.d");
const labStudent = (project: string) => (project.includes("phone") ? "Morgan Chen" : "Casey Okafor");

test("a student asks their preceptor, who signs off from the e-mailed link in at most 6 interactions, and the student sees it passed", async ({
  browser,
}, testInfo) => {
  const code = requestCode(testInfo.project.name);

  // Sam asks for a sign-off from their record.
  const sam = await (await browser.newContext()).newPage();
  await signIn(sam, demo("student"));
  await sam.getByRole("link", { name: /^Your record in/ }).click();
  await expect(sam.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  const row = sam.locator(`tr[data-code="${code}"]`);
  await expect(row.getByText("Not started")).toBeVisible();
  await row.getByRole("button", { name: /Ask preceptor/ }).click();
  await expect(sam.getByTestId("request-status")).toHaveText(/Request sent to Priya Preceptor/);
  await expect(row.getByText("Requested")).toBeVisible();
  await checkAxe(sam);

  // No mail server in tests: the administrator reads the outbox for the link.
  const admin = await (await browser.newContext()).newPage();
  await signInAsAdmin(admin);
  await admin.goto("/admin/outbox");
  const mail = admin.locator(`li[data-to="${demo("preceptor")}"]`).filter({ hasText: `(${code})` }).first();
  await expect(mail).toContainText("Sign-off request: Sam Student");
  const link = (await mail.locator(".outbox-body").textContent())!.match(/http\S+token=[0-9a-f]{64}\S*/)![0];

  // The preceptor, on their phone at the clinic: every click and page open counts.
  const preceptor = await (await browser.newContext()).newPage();
  let interactions = 0;
  const act = async (step: () => Promise<unknown>) => {
    interactions += 1;
    await step();
  };
  const started = Date.now();
  await act(() => preceptor.goto(link));
  await expect(preceptor.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  await act(() => preceptor.getByRole("button", { name: "Continue" }).click());
  await expect(preceptor).toHaveURL(new RegExp(`/evaluate/${code.replace(/\./g, "\\.")}\\?request=\\d+`));
  await expect(preceptor.getByText("The student asked you to sign this off.")).toBeVisible();
  await expect(preceptor.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  await checkAxe(preceptor);
  await act(() => preceptor.getByRole("button", { name: "Mark every step performed" }).click());
  await act(() => preceptor.getByRole("checkbox", { name: /I, Priya Preceptor, personally observed Sam Student/ }).check());
  await act(() => preceptor.getByRole("button", { name: "Sign" }).click());
  const result = preceptor.getByTestId("sign-result");
  await expect(result.getByRole("heading")).toHaveText("Signed: passed");
  const seconds = (Date.now() - started) / 1000;
  expect(interactions).toBeLessThanOrEqual(6);
  expect(seconds).toBeLessThan(60);
  testInfo.annotations.push({ type: "preceptor sign-off", description: `${interactions} interactions, ${seconds.toFixed(1)} s` });
  console.log(`preceptor sign-off (${testInfo.project.name}): ${interactions} interactions, ${seconds.toFixed(1)} s from opening the e-mailed link`);
  await checkAxe(preceptor);

  // Sam sees it passed, signed by the preceptor at the externship.
  await sam.reload();
  await expect(row.getByText("Complete")).toBeVisible();
  await expect(row).toContainText("Priya Preceptor");
  await row.getByRole("link", { name: new RegExp(code.replace(/\./g, "\\.")) }).click();
  await expect(sam.getByRole("heading", { level: 2, name: /^Passed · 100%/ })).toBeVisible();
  await expect(sam.getByText(/Priya Preceptor \(preceptor\) · Externship/)).toBeVisible();
  await checkAxe(sam);

  // The Master Competency Checklist lists it with date, setting and evaluator.
  await sam.goBack();
  await sam.getByRole("link", { name: "Master Competency Checklist (printable)" }).click();
  await expect(sam.getByRole("heading", { level: 1, name: "Master Competency Checklist" })).toBeVisible();
  // The row of this code exactly (I.P.1.b is also the end of VII.P.1.b).
  const line = sam.getByRole("row", { name: new RegExp(`^${code.replace(/\./g, "\\.")} `) });
  await expect(line).toContainText("Complete");
  await expect(line).toContainText("Externship");
  await expect(line).toContainText("Priya Preceptor");
  await checkAxe(sam);
});

test("an instructor's lab check-off with a missed critical step is a fail", async ({ page }, testInfo) => {
  const student = labStudent(testInfo.project.name);
  await signIn(page, demo("instructor"));
  await page.getByRole("link", { name: /^Lab session in/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Lab session" })).toBeVisible();
  await page.getByLabel("Competency").selectOption({ label: "I.P.2.b Perform: venipuncture" });
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page.getByRole("heading", { level: 2, name: /I\.P\.2\.b/ })).toBeVisible();
  await checkAxe(page);
  await page.getByRole("link", { name: `Evaluate ${student}` }).click();
  await expect(page.getByRole("heading", { level: 1, name: /Perform: venipuncture/ })).toBeVisible();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });

  await page.getByRole("button", { name: "Mark every step performed" }).click();
  await expect(page.getByTestId("tally")).toHaveText(/^18 of 18 steps performed$/);
  // The tourniquet stayed on: released after the needle came out.
  await page.getByRole("checkbox", { name: /Release the tourniquet as soon as blood flows/ }).uncheck();
  await expect(page.getByTestId("tally")).toHaveText("17 of 18 steps performed · 1 critical not yet marked");
  const comment = page.getByLabel("Comment for the student (optional)");
  await comment.fill("Release the tourniquet within a minute.");
  // Signing without the attestation is refused at the field, marks and text kept.
  await page.getByRole("button", { name: "Sign" }).click();
  await expect(page.locator("#attest-error")).toHaveText("Confirm the attestation to sign.");
  await expect(page.getByTestId("tally")).toHaveText("17 of 18 steps performed · 1 critical not yet marked");
  await expect(page.getByRole("checkbox", { name: /Release the tourniquet as soon as blood flows/ })).not.toBeChecked();
  await expect(comment).toHaveValue("Release the tourniquet within a minute.");
  await checkAxe(page);
  await page.getByRole("checkbox", { name: /personally observed/ }).check();
  await page.getByRole("button", { name: "Sign" }).click();

  const result = page.getByTestId("sign-result");
  await expect(result.getByRole("heading")).toHaveText("Signed: not passed");
  await expect(result).toContainText("17 of 18 steps met (94%)");
  await expect(result).toContainText("Critical step missed:");
  await expect(result).toContainText("Release the tourniquet as soon as blood flows");
  await checkAxe(page);

  // The next student who has not completed it is one tap away.
  await expect(result.getByRole("link", { name: /^Next: / })).toHaveAttribute("href", /\/evaluate\/I\.P\.2\.b\?lab=1$/);
  // Back in the lab list the attempt shows; the record keeps the failed attempt.
  await result.getByRole("link", { name: "Back to the lab session" }).click();
  const studentRow = page.locator("tr", { hasText: student });
  await expect(studentRow).toContainText("Attempted");
  await studentRow.getByRole("link", { name: student, exact: true }).click();
  await expect(page.getByRole("heading", { level: 2, name: /^Not passed · 94%/ })).toBeVisible();
  await expect(page.locator(".step-missed", { hasText: "Release the tourniquet as soon as blood flows" })).toHaveCount(1);
});
