// Loads the management plane's console in Debian's Chromium (headless,
// driven by playwright-core over the DevTools protocol) and prints what a
// person would see as one JSON line: the gateways shown, their instance
// rows, every chart with its points, the session cookie's flags. A
// full-page screenshot is written where asked.
//
// Usage: node console.mjs '{"base": "http://127.0.0.1:PORT", "token": "...",
//   "gateway": "gw1", "profile": "/tmp/dir", "screenshot": "/tmp/console.png"}'
import { chromium } from "playwright-core";

const opts = JSON.parse(process.argv[2]);
const flags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const context = await chromium.launchPersistentContext(opts.profile, {
  executablePath: opts.chromium || "/usr/bin/chromium",
  headless: true,
  args: flags,
  viewport: { width: 1360, height: 900 },
  timeout: 60000,
});
try {
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(30000);
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });

  // Not signed in: the console sends the browser to its sign-in form.
  await page.goto(`${opts.base}/console`);
  const loginUrl = page.url();
  await page.fill("#token", opts.token);
  await Promise.all([page.waitForURL(`${opts.base}/console`), page.click("button[type=submit]")]);
  const section = page.locator(`section[data-gateway="${opts.gateway}"]`);
  await section.waitFor();

  const title = await page.title();
  const instances = await section.locator("table.instances tr").allInnerTexts();
  const charts = await section.locator("svg.chart").evaluateAll((svgs) =>
    svgs.map((svg) => ({
      metric: svg.getAttribute("data-metric"),
      source: svg.getAttribute("data-source"),
      visible: svg.getBoundingClientRect().width > 0,
      points: [...svg.querySelectorAll("circle")].map((c) => ({
        series: c.getAttribute("data-series"),
        ts: c.getAttribute("data-ts"),
        value: Number(c.getAttribute("data-value")),
      })),
    })),
  );
  const cookies = (await context.cookies()).map((c) => ({
    name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite, path: c.path,
  }));
  const scriptCookies = await page.evaluate(() => document.cookie);
  // Styles applied (the stylesheet loaded under the page's CSP).
  const headerColor = await page.locator("header").evaluate((h) => getComputedStyle(h).backgroundColor);
  if (opts.screenshot) {
    await page.screenshot({ path: opts.screenshot, fullPage: true });
  }
  // The gateway's own page, reached by its link.
  await Promise.all([page.waitForURL(/\/console\/gateways\//), section.locator("h2 a").first().click()]);
  const gatewayTitle = await page.locator("h1").innerText();
  console.log(JSON.stringify({
    loginUrl, title, gatewayTitle, instances, charts, cookies, scriptCookies,
    headerColor, errors,
  }));
} finally {
  await context.close();
}
