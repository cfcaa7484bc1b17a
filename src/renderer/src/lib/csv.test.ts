import { describe, expect, it } from 'vitest'
import { csvCell, toCsv } from './csv'

describe('CSV', () => {
  it('quotes what needs quoting and doubles quotes', () => {
    expect(toCsv([['Label', 'Tags'], ['Sales, north', 'say "hi"'], ['two\nlines', 'plain']])).toBe('Label,Tags\r\n"Sales, north","say ""hi"""\r\n"two\nlines",plain\r\n')
  })
  it('never lets a cell open as a formula', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvCell('+15550001')).toBe("'+15550001")
    expect(csvCell('-1')).toBe("'-1")
    expect(csvCell('@home')).toBe("'@home")
    expect(csvCell('plain')).toBe('plain')
  })
})
