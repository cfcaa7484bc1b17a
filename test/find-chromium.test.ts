// The browser the specs drive without Debian's chromium: the headless shell @sparticuz/chromium ships
// in its npm package starts, Playwright drives it, and it draws text with the fonts unpacked beside it.
import { chromium } from '@playwright/test'
import { describe, expect, it } from 'vitest'
import { findChromium } from '../scripts/find-chromium.mjs'
import { skipReason } from './support/requirements'

describe('finding a Chromium', () => {
  it('says why when IRISH_CHROMIUM names nothing', () => {
    expect(findChromium({ IRISH_CHROMIUM: '/nonexistent/chrome' })).toEqual({ missing: 'IRISH_CHROMIUM names /nonexistent/chrome, which does not exist' })
  })
})

const packaged = process.platform === 'linux' && process.arch === 'x64' ? findChromium({ ...process.env, IRISH_CHROMIUM: '', IRISH_TEST_NO_SYSTEM: 'chromium' }) : null
const problem = packaged === null ? '@sparticuz/chromium serves Linux x64 only' : 'missing' in packaged ? packaged.missing : null

describe.skipIf(skipReason('the npm-shipped Chromium test', problem) !== null)('the Chromium from npm', () => {
  it('starts, is driven by Playwright, and draws text', async () => {
    const found = packaged as Exclude<typeof packaged, { missing: string } | null>
    expect(found.source).toMatch(/@sparticuz\/chromium/)
    const browser = await chromium.launch({ executablePath: found.executablePath, args: ['--no-sandbox', '--disable-gpu'], env: { ...process.env, ...found.env } })
    try {
      const page = await browser.newPage()
      await page.setContent('<button onclick="this.textContent = \'Pressed\'">Press me</button>')
      await page.getByRole('button', { name: 'Press me' }).click()
      await expect.poll(() => page.getByRole('button').textContent()).toBe('Pressed')
      // Glyphs, not only layout: text drawn on a canvas leaves dark pixels only if a font rasterised it.
      // (A string: the Node project's type-check has no DOM library.)
      const inked = await page.evaluate<number>(`(() => {
        const canvas = document.createElement('canvas')
        canvas.width = 200
        canvas.height = 40
        const context = canvas.getContext('2d')
        context.fillStyle = '#fff'
        context.fillRect(0, 0, 200, 40)
        context.fillStyle = '#000'
        context.font = '24px sans-serif'
        context.fillText('Irish Ää 123', 4, 30)
        const { data } = context.getImageData(0, 0, 200, 40)
        let dark = 0
        for (let i = 0; i < data.length; i += 4) if (data[i] < 128) dark++
        return dark
      })()`)
      expect(inked).toBeGreaterThan(200)
    } finally {
      await browser.close()
    }
  }, 60_000)
})
