// Demo accounts and sign-in helpers for browser tests. The server runs in
// demo mode with these fixed secrets (playwright.config.ts).
import { createHmac } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, test } from "@playwright/test";

export const DEMO_PASSWORD = "demo password for browser tests";
/** Base32, as an authenticator app would be given it. */
export const DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
export const PROGRAM = "Lakeside Community College · Medical Assisting (demo)";

export const demo = (who: string) => `${who}@lakeside.example`;

function base32(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 code (SHA-1, 6 digits, 30 s) for `unixSeconds`. */
export function totp(secret: string, unixSeconds: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, "0");
}

/** Signs in on the sign-in page with the demo password, and waits to leave
 *  it (for `/`, or the code page when two-step sign-in is on). */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/sign-in");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  const form = page.locator("form", { has: page.getByLabel("Password") });
  await form.getByLabel("E-mail").fill(email);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname !== "/sign-in");
}

/** Signs the demo administrator in, through the second step. */
export async function signInAsAdmin(page: Page) {
  await signIn(page, demo("admin"));
  await expect(page).toHaveURL(/\/sign-in\/code/);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  // Several tests sign the administrator in at once, and each 30-second code
  // works once (a later step also retires earlier ones). Try the current and
  // next codes; if both are taken, wait for the next step and try again.
  for (let round = 0; round < 4; round++) {
    for (const ahead of [0, 30]) {
      await page.getByLabel("Code").fill(totp(DEMO_TOTP_SECRET, Date.now() / 1000 + ahead));
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().includes("/api/sign-in-code")),
        page.getByRole("button", { name: "Continue" }).click(),
      ]);
      if (answer.status() < 400) {
        await page.waitForURL((url) => url.pathname === "/");
        return;
      }
    }
    const untilNextStep = 30_000 - (Date.now() % 30_000) + 500;
    test.info().setTimeout(test.info().timeout + untilNextStep);
    await page.waitForTimeout(untilNextStep);
  }
  throw new Error("the administrator could not complete two-step sign-in");
}
