import { describe, expect, it } from 'vitest';
import { isBlank, tokenizeLine } from '../../../../functions/order-processor/contract/tokenizer.ts';

const own = (text: string) => tokenizeLine(Buffer.from(text, 'utf8'), false);
const continuing = (text: string) => tokenizeLine(Buffer.from(text, 'utf8'), true);

describe('tokenizeLine, a line read on its own', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['', ['']],
    ['a,', ['a', '']],
    [',,', ['', '', '']],
    [' a , b ', [' a ', ' b ']],
    ['27" monitor,x', ['27" monitor', 'x']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['""', ['']],
    ['"",""', ['', '']],
    [' \t"padded" \t,x', ['padded', 'x']],
    ['x,"y"', ['x', 'y']],
    ['é,"ü,ß"', ['é', 'ü,ß']],
    ['\u3000"a",b', ['\u3000"a"', 'b']],
    ['a"b"c,d', ['a"b"c', 'd']],
  ])('splits %j into closed fields %j', (text, cells) => {
    expect(own(text)).toMatchObject({ state: 'closed', head: null, cells });
  });

  it.each([
    ['"abc', ['abc']],
    ['a,"b,c', ['a', 'b,c']],
    ['a,"b""', ['a', 'b"']],
    ['x","y', ['x"', 'y']],
    ['"a""b"",c', ['a"b",c']],
  ])('leaves %j open in its last field %j', (text, cells) => {
    expect(own(text)).toMatchObject({ state: 'open', cells });
  });

  it.each([
    ['"a"x,b', 1, 'x'],
    ['a,"b" c', 2, 'c'],
    ['a,"b"é', 2, 'é'],
  ])('marks %j malformed at field %i (found %j after the closing quote)', (text, badField, found) => {
    expect(own(text)).toMatchObject({ state: 'malformed', badField, found });
  });
});

describe('tokenizeLine, a line continuing a quoted value', () => {
  it('returns the whole line as the value when it holds no closing quote', () => {
    expect(continuing('still inside, with "" a quote')).toMatchObject({
      state: 'open',
      headCloses: false,
      head: 'still inside, with " a quote',
      cells: [],
    });
    expect(continuing('plain, no quotes')).toMatchObject({ state: 'open', headCloses: false, head: 'plain, no quotes' });
  });

  it('closes the value and splits the fields after it', () => {
    expect(continuing('end of value",2,"x, y"')).toMatchObject({
      state: 'closed',
      headCloses: true,
      head: 'end of value',
      cells: ['2', 'x, y'],
    });
    expect(continuing('"')).toMatchObject({ state: 'closed', head: '', cells: [] });
  });

  it('closes the value and opens another one', () => {
    expect(continuing('a",b,"c')).toMatchObject({ state: 'open', headCloses: true, head: 'a', cells: ['b', 'c'] });
  });

  it('marks text after the closing quote, on the value itself (field 0) or a later field', () => {
    expect(continuing('a"b,c')).toMatchObject({ state: 'malformed', headCloses: true, badField: 0, found: 'b' });
    expect(continuing('a",b,"c"d')).toMatchObject({ state: 'malformed', badField: 2, found: 'd' });
  });
});

describe('isBlank', () => {
  it.each([
    [[''], true],
    [['', ' ', '\t'], true],
    [['\u3000'], true],
    [['', 'x'], false],
    [['"'], false],
  ])('says %j is blank: %s', (cells, blank) => {
    expect(isBlank(cells)).toBe(blank);
  });
});
