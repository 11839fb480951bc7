import { describe, expect, it } from 'vitest'
import { parseInline, parseMarkdown } from './markdown'

describe('parseInline', () => {
  it('reads bold, italic, strike and code, nested', () => {
    expect(parseInline('a **b _c_** ~~d~~ `e*f*`')).toEqual([
      { kind: 'text', text: 'a ' },
      {
        kind: 'bold',
        children: [
          { kind: 'text', text: 'b ' },
          { kind: 'italic', children: [{ kind: 'text', text: 'c' }] }
        ]
      },
      { kind: 'text', text: ' ' },
      { kind: 'strike', children: [{ kind: 'text', text: 'd' }] },
      { kind: 'text', text: ' ' },
      { kind: 'code', text: 'e*f*' }
    ])
  })

  it('leaves snake_case, 2*3*4, lone markers and links with underscores as typed', () => {
    for (const text of [
      'snake_case_name',
      '2*3*4 = 24',
      'a * b',
      '**',
      'see https://x.org/a_b_c_ and *',
      '_ x _'
    ]) {
      expect(parseInline(text)).toEqual([{ kind: 'text', text }])
    }
  })

  it('keeps HTML as text: nothing here is ever markup', () => {
    expect(parseInline('<img src=x onerror=alert(1)> **<b>**')).toEqual([
      { kind: 'text', text: '<img src=x onerror=alert(1)> ' },
      { kind: 'bold', children: [{ kind: 'text', text: '<b>' }] }
    ])
  })

  it('stops nesting at a bounded depth', () => {
    const deep = '*'.repeat(2000) + 'x' + '*'.repeat(2000)
    expect(() => parseInline(deep)).not.toThrow()
  })
})

describe('parseMarkdown', () => {
  it('splits code blocks, quotes, lists and paragraphs', () => {
    const text =
      'intro\n```\nconst a = 1\n  b()\n```\n> quoted **bold**\n> more\n- one\n- two\n1. first\n2. second\n\nend'
    expect(parseMarkdown(text)).toEqual([
      { kind: 'paragraph', inlines: [{ kind: 'text', text: 'intro' }] },
      { kind: 'code', text: 'const a = 1\n  b()' },
      {
        kind: 'quote',
        blocks: [
          {
            kind: 'paragraph',
            inlines: [
              { kind: 'text', text: 'quoted ' },
              { kind: 'bold', children: [{ kind: 'text', text: 'bold' }] },
              { kind: 'text', text: '\nmore' }
            ]
          }
        ]
      },
      {
        kind: 'list',
        ordered: false,
        start: 1,
        items: [[{ kind: 'text', text: 'one' }], [{ kind: 'text', text: 'two' }]]
      },
      {
        kind: 'list',
        ordered: true,
        start: 1,
        items: [[{ kind: 'text', text: 'first' }], [{ kind: 'text', text: 'second' }]]
      },
      { kind: 'paragraph', inlines: [{ kind: 'text', text: 'end' }] }
    ])
  })

  it('an unclosed fence runs to the end; a plain line stays one paragraph', () => {
    expect(parseMarkdown('```\nx')).toEqual([{ kind: 'code', text: 'x' }])
    expect(parseMarkdown('just text')).toEqual([
      { kind: 'paragraph', inlines: [{ kind: 'text', text: 'just text' }] }
    ])
  })
})
