import { test, expect } from "@playwright/test";

test("/healthz reports the engine and the applied migration", async ({ request }) => {
  const response = await request.get("/healthz");
  expect(response.status()).toBe(200);
  const body = await response.json();
  expect(body.status).toBe("ok");
  expect(body.engine).toBe("sqlite");
  expect(body.migration_version).toBeGreaterThanOrEqual(1);
  expect(body.migration_version).toBe(body.latest_known_migration);
});

test("a cross-site post to a server function is refused", async ({ request, baseURL }) => {
  const refused = await request.post("/api/status", {
    headers: { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
  });
  expect(refused.status()).toBe(403);
  const allowed = await request.post("/api/status", {
    headers: { Origin: baseURL!, "Sec-Fetch-Site": "same-origin" },
  });
  expect(allowed.status()).toBe(200);
});

test("the hydrate bundle is served compressed", async ({ request }) => {
  const response = await request.get("/pkg/checkoff.wasm", { headers: { "Accept-Encoding": "gzip" } });
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toBe("application/wasm");
});

test("the browser bundle arrives precompressed and hydrates", async ({ page }) => {
  const wasm = page.waitForResponse((r) => r.url().endsWith("/pkg/checkoff.wasm"));
  await page.goto("/");
  const response = await wasm;
  // Chromium asks for Brotli on this origin; the copy made at build time is sent as is.
  expect(response.headers()["content-encoding"]).toBe("br");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
});
