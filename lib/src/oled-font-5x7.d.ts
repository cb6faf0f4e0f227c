// Types for the untyped npm package oled-font-5x7 (MIT, Suz Hinton): one
// glyph is `width` column bytes in `fontData`; bit k of a byte is row k,
// the least significant bit the top row. `lookup[g]` is glyph g's char.
declare module "oled-font-5x7" {
  const font: {
    monospace: boolean;
    width: number;
    height: number;
    fontData: number[];
    lookup: string[];
  };
  export = font;
}
