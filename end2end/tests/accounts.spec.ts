import { test, expect, checkAxe } from "./fixtures";
import { PROGRAM, demo, signIn, signInAsAdmin, totp } from "./accounts";

test("a wrong password is shown next to the field and the e-mail is kept", async ({ page, hydrated, axe }) => {
  await hydrated("/sign-in");
  await axe();
  const form = page.locator("form", { has: page.getByLabel("Password") });
  await form.getByLabel("E-mail").fill(demo("instructor"));
  await form.getByLabel("Password").fill("not the password");
  await form.getByRole("button", { name: "Sign in" }).click();
  const password = form.getByLabel("Password");
  await expect(password).toHaveAttribute("aria-invalid", "true");
  await expect(form.locator("#field-password-error")).toHaveText("That e-mail and password do not match an account.");
  await expect(form.getByLabel("E-mail")).toHaveValue(demo("instructor"));
  await axe();
});

test("a director invites a preceptor, who signs in from the e-mailed link and sees only their students", async ({
  browser,
}, testInfo) => {
  const unique = `${testInfo.project.name}-${Date.now()}`;
  const preceptorEmail = `nia-${unique}@clinic.example`;
  const preceptorName = `Nia Nurse ${unique}`;

  // The director invites the preceptor and places a student with them.
  const director = await (await browser.newContext()).newPage();
  await signIn(director, demo("director"));
  await expect(director.getByRole("heading", { name: "Hello, Dana" })).toBeVisible();
  await director.getByRole("link", { name: `People of ${PROGRAM}` }).click();
  await expect(director.getByRole("heading", { level: 1, name: PROGRAM })).toBeVisible();
  await expect(director.locator("body")).toHaveAttribute("data-hydrated", "true");
  const invite = director.locator("form", { has: director.getByRole("button", { name: "Send invitation" }) });
  await invite.getByLabel("Name").fill(preceptorName);
  await invite.getByLabel("E-mail").fill(preceptorEmail);
  await invite.getByLabel("Role").selectOption("preceptor");
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await expect(director.getByTestId("invite-status")).toHaveText("Invitation sent.");
  await checkAxe(director);
  // Placements live on the externship page: a site, a preceptor, dates.
  await director.getByRole("link", { name: "Sites and placements" }).click();
  await expect(director.getByRole("heading", { level: 1, name: "Externship sites and placements" })).toBeVisible();
  await expect(director.locator("body")).toHaveAttribute("data-hydrated", "true");
  const place = director.locator("form", { has: director.getByRole("button", { name: "Place student" }) });
  await expect(place.getByLabel("Preceptor", { exact: true }).locator("option", { hasText: preceptorName })).toHaveCount(1);
  await place.getByLabel("Student").selectOption({ label: "Morgan Chen" });
  await place.getByLabel("Site").selectOption({ label: "Harbor Family Medicine (demo)" });
  await place.getByLabel("Preceptor", { exact: true }).selectOption({ label: preceptorName });
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await place.getByLabel("First day").fill(day(-7));
  await place.getByLabel("Last day").fill(day(40));
  await place.getByRole("button", { name: "Place student" }).click();
  await expect(director.locator("tr", { hasText: preceptorName })).toContainText("Morgan Chen");
  await checkAxe(director);

  // No mail server in tests: the administrator reads the outbox.
  const admin = await (await browser.newContext()).newPage();
  await signInAsAdmin(admin);
  await admin.goto("/admin/outbox");
  const mail = admin.locator(`li[data-to="${preceptorEmail}"]`).first();
  await expect(mail).toContainText("Invitation to");
  const link = (await mail.locator(".outbox-body").textContent())!.match(/http\S+token=[0-9a-f]{64}/)![0];
  await checkAxe(admin);

  // The preceptor opens the link on their phone and is in: no password.
  const preceptor = await (await browser.newContext()).newPage();
  await preceptor.goto(link);
  await expect(preceptor.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  await expect(preceptor.getByText(`This link signs in ${preceptorName}.`)).toBeVisible();
  await preceptor.getByRole("button", { name: "Continue" }).click();
  await expect(preceptor).toHaveURL(/\/$/);
  const students = preceptor.getByTestId("my-students");
  await expect(students.getByRole("link")).toHaveText(["Morgan Chen"]);
  await checkAxe(preceptor);

  // The link worked once.
  const again = await (await browser.newContext()).newPage();
  await again.goto(link);
  await expect(again.getByRole("alert")).toHaveText(/already been used/);

  // Their student's record opens; other students' records and the people page do not.
  await students.getByRole("link", { name: "Morgan Chen" }).click();
  await expect(preceptor.getByRole("heading", { level: 1, name: "Morgan Chen" })).toBeVisible();
  const samRecord = await director.locator("a", { hasText: "Sam Student" }).first().getAttribute("href");
  const refused = await preceptor.goto(samRecord!);
  expect(refused!.status()).toBe(403);
  await expect(preceptor.getByRole("alert")).toHaveText("You do not have access to this.");
  const people = await preceptor.goto(new URL(director.url()).pathname);
  expect(people!.status()).toBe(403);
});

test("signing out ends the session on the server", async ({ page, context }) => {
  await signIn(page, demo("riley"));
  await expect(page.getByRole("heading", { name: "Hello, Riley" })).toBeVisible();
  const cookie = (await context.cookies()).find((c) => c.name === "checkoff_session")!;
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.sameSite).toBe("Lax");
  await page.goto("/account");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  // The old cookie, replayed, no longer opens the account page.
  const replay = await page.request.get("/account", { headers: { cookie: `checkoff_session=${cookie.value}` } });
  expect(replay.status()).toBe(401);
});

test("anyone can turn on two-step sign-in from their account page, and then needs a code", async ({ page, axe, browser }, testInfo) => {
  // One account per browser project: both run against one server.
  const who = demo(testInfo.project.name === "phone" ? "preceptor2" : "morgan");
  await signIn(page, who);
  await page.goto("/account");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  await axe();
  // A wrong code is refused at the field; the right one turns it on.
  await page.getByLabel("Code").fill("000000" === totp(secret, Date.now() / 1000) ? "111111" : "000000");
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.locator("#field-code-error")).toContainText("not right");
  await page.getByLabel("Code").fill(totp(secret, Date.now() / 1000));
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  await axe();

  // Signing in again now asks for a code; a recovery code works once.
  const recovery = (await page.getByTestId("recovery-codes").locator("li").first().textContent())!.trim();
  const again = await (await browser.newContext()).newPage();
  await signIn(again, who);
  await expect(again).toHaveURL(/\/sign-in\/code/);
  await expect(again.locator("body")).toHaveAttribute("data-hydrated", "true");
  await again.getByLabel("Code").fill(recovery);
  await again.getByRole("button", { name: "Continue" }).click();
  await expect(again).toHaveURL(/\/$/);
  await expect(again.getByRole("link", { name: "Account", exact: true })).toBeVisible();
});
