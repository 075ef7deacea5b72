import { defineConfig } from '@playwright/test';

// Debian's Chromium: Playwright's own browser download is not reachable from here, and
// scripts/install-test-deps.sh installs this one.
const executablePath = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: './specs',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // Each worker runs its own sshd and gateway; one worker keeps a 2-core machine calm.
  workers: 1,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    headless: true,
    viewport: { width: 1100, height: 700 },
    launchOptions: {
      executablePath,
      // WebGL2 in software (SwiftShader), so the terminal draws with its WebGL renderer as it does
      // for most people. No sign-in, sync or component updates: the network here reaches nothing.
      args: [
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    trace: 'retain-on-failure',
  },
});
