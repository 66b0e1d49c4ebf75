import { test as base, expect } from "@playwright/test";
import type { Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

type Fixtures = {
  /** Opens a path and waits until the wasm bundle has hydrated the page. */
  hydrated: (path: string) => Promise<void>;
  /** Runs axe-core (WCAG 2.2 AA rules) on the current page; fails on any violation. */
  axe: () => Promise<void>;
};

export const test = base.extend<Fixtures>({
  page: async ({ page }, use) => {
    // Any uncaught error in the page fails the test: a broken bundle must not pass quietly.
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // The Content-Security-Policy must never block our own scripts, styles or
    // wasm: a refusal is printed to the console, and fails the test.
    page.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy|Refused to/.test(m.text())) errors.push(m.text());
    });
    await use(page);
    expect(errors, "errors thrown in the page").toEqual([]);
  },
  hydrated: async ({ page }, use) => {
    await use(async (path: string) => {
      await page.goto(path);
      await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
    });
  },
  axe: async ({ page }, use) => {
    await use(() => checkAxe(page));
  },
});

/** Runs axe-core (WCAG 2.2 AA rules) on `page`; fails on any violation. */
export async function checkAxe(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`,
  );
  expect(summary, `axe-core violations on ${page.url()}`).toEqual([]);
}

export { expect };
