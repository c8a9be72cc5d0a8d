import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/** `npm run screenshots`: walks the real app against lab devices and saves docs/screenshots/*.png. */
export default defineConfig({ ...base, testDir: 'e2e/screenshots', reporter: [['list']] });
