// Reads knowledge-check answer keys from the module files, so browser tests
// can answer as a student who studied would (the page itself never has them).
import type { Page, Locator } from "@playwright/test";
import { expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export type Key = { id: string; type: "single" | "multiple" | "order"; question: string; correct: string[]; options: string[] };

export function answerKey(slug: string): Key[] {
  const text = readFileSync(join(__dirname, "../../content/modules", `${slug}.md`), "utf8");
  const blocks = [...text.matchAll(/```quiz\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.map((block) => {
    const get = (k: string) => block.match(new RegExp(`^${k}:\\s*(.*)$`, "m"))?.[1].trim() ?? "";
    const options: string[] = [];
    const correct: string[] = [];
    for (const line of block.split("\n").map((l) => l.trim())) {
      const choice = line.match(/^- \[( |x|X)\]\s*(.*)$/);
      if (choice) {
        options.push(choice[2]);
        if (choice[1].toLowerCase() === "x") correct.push(choice[2]);
      }
      const item = line.match(/^\d+\.\s+(.*)$/);
      if (item) {
        options.push(item[1]);
        correct.push(item[1]);
      }
    }
    return { id: get("id"), type: get("type") as Key["type"], question: get("question"), correct, options };
  });
}

export function explanations(slug: string): string[] {
  const text = readFileSync(join(__dirname, "../../content/modules", `${slug}.md`), "utf8");
  return [...text.matchAll(/^explanation:\s*(.*)$/gm)].map((m) => m[1].trim());
}

/** The keys of the questions this attempt shows (an attempt draws some of
 *  the module's questions, in an order of its own), in page order. */
export async function drawnKeys(page: Page, slug: string): Promise<Key[]> {
  const keys = answerKey(slug);
  const ids = await page.locator("[data-question]").evaluateAll((els) => els.map((e) => e.getAttribute("data-question") ?? ""));
  return ids.map((id) => keys.find((k) => k.id === id)!).filter(Boolean);
}

/** Answers one question on the page as the key says. */
export async function answer(question: Locator, key: Key, page: Page) {
  if (key.type === "order") {
    // Move each item up into its place, as a keyboard user would.
    for (let target = 0; target < key.correct.length; target++) {
      let items = await question.locator(".order-text").allTextContents();
      let at = items.indexOf(key.correct[target]);
      while (at > target) {
        await question.getByRole("button", { name: `Move “${key.correct[target]}” up` }).click();
        at -= 1;
      }
    }
    await expect(question.locator(".order-text")).toHaveText(key.correct);
    return;
  }
  for (const option of key.correct) {
    await question.getByLabel(option, { exact: true }).check();
  }
}
