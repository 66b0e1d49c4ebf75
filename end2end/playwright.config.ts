import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from "./tests/accounts";

// Each run starts the release build on a fresh SQLite file. Workers load this
// file again; the env var keeps them on the runner's database.
if (!process.env.CHECKOFF_E2E_DATA) {
  process.env.CHECKOFF_E2E_DATA = mkdtempSync(join(tmpdir(), "checkoff-e2e-"));
}
const dataDir = process.env.CHECKOFF_E2E_DATA;
const port = Number(process.env.CHECKOFF_E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const root = resolve(__dirname, "..");

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL,
    browserName: "chromium",
    trace: "retain-on-failure",
    launchOptions: {
      // Debian's Chromium: Playwright cannot download its own browser here.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [
    { name: "phone", use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
    { name: "laptop", use: { viewport: { width: 1280, height: 800 } } },
  ],
  webServer: {
    // Demo data gives every role an account; the fixed password and TOTP key
    // (accounts.ts) replace the random ones demo mode would print.
    command: `${join(root, "target/release/server")} serve --demo`,
    cwd: root,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATABASE_URL: `sqlite:${join(dataDir, "checkoff.db")}`,
      LISTEN_ADDR: `127.0.0.1:${port}`,
      SITE_URL: baseURL,
      SITE_ROOT: join(root, "target/site"),
      CONTENT_DIR: join(root, "content"),
      LOG_LEVEL: "warn",
      DEMO_PASSWORD: DEMO_PASSWORD,
      DEMO_TOTP_SECRET: DEMO_TOTP_SECRET,
    },
  },
});
