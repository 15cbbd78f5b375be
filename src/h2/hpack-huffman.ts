// The Huffman code of HPACK (RFC 7541 5.2 and Appendix B): string literals may
// be sent Huffman-coded, and our encoder does so when it is shorter.
//
// The table below is Appendix B written out: for each symbol (the 256 octet
// values, then EOS) its code, right-aligned, and the code's length in bits.
// The code is canonical (codes of one length are consecutive, shorter codes
// come first, symbols in order within a length): test/unit/hpack.test.ts
// rebuilds it from the lengths alone and checks it against this table.
//
// Decoding is table-driven, 4 bits at a time (as nghttp2 does): the states are
// the 256 inner nodes of the code's tree, and for each state and nibble a
// precomputed entry gives the next state, the symbol completed on the way (at
// most one: no code is shorter than 5 bits), whether EOS was reached (an
// error: RFC 7541 5.2 says a decoder MUST reject an EOS in the string), and
// whether the string may end there (the bits since the last symbol are a
// prefix of EOS, all ones, and at most 7 of them: anything else is padding the
// RFC says MUST be rejected). The table is built once, when the module loads.
import { HpackError } from './hpack-error.js';

// prettier-ignore
const APPENDIX_B: readonly number[] = [
  //   code     bits     sym  (  n) code as bits, most significant first
  0x1ff8,     13, //      (  0) 1111111111000
  0x7fffd8,   23, //      (  1) 11111111111111111011000
  0xfffffe2,  28, //      (  2) 1111111111111111111111100010
  0xfffffe3,  28, //      (  3) 1111111111111111111111100011
  0xfffffe4,  28, //      (  4) 1111111111111111111111100100
  0xfffffe5,  28, //      (  5) 1111111111111111111111100101
  0xfffffe6,  28, //      (  6) 1111111111111111111111100110
  0xfffffe7,  28, //      (  7) 1111111111111111111111100111
  0xfffffe8,  28, //      (  8) 1111111111111111111111101000
  0xffffea,   24, //      (  9) 111111111111111111101010
  0x3ffffffc, 30, //      ( 10) 111111111111111111111111111100
  0xfffffe9,  28, //      ( 11) 1111111111111111111111101001
  0xfffffea,  28, //      ( 12) 1111111111111111111111101010
  0x3ffffffd, 30, //      ( 13) 111111111111111111111111111101
  0xfffffeb,  28, //      ( 14) 1111111111111111111111101011
  0xfffffec,  28, //      ( 15) 1111111111111111111111101100
  0xfffffed,  28, //      ( 16) 1111111111111111111111101101
  0xfffffee,  28, //      ( 17) 1111111111111111111111101110
  0xfffffef,  28, //      ( 18) 1111111111111111111111101111
  0xffffff0,  28, //      ( 19) 1111111111111111111111110000
  0xffffff1,  28, //      ( 20) 1111111111111111111111110001
  0xffffff2,  28, //      ( 21) 1111111111111111111111110010
  0x3ffffffe, 30, //      ( 22) 111111111111111111111111111110
  0xffffff3,  28, //      ( 23) 1111111111111111111111110011
  0xffffff4,  28, //      ( 24) 1111111111111111111111110100
  0xffffff5,  28, //      ( 25) 1111111111111111111111110101
  0xffffff6,  28, //      ( 26) 1111111111111111111111110110
  0xffffff7,  28, //      ( 27) 1111111111111111111111110111
  0xffffff8,  28, //      ( 28) 1111111111111111111111111000
  0xffffff9,  28, //      ( 29) 1111111111111111111111111001
  0xffffffa,  28, //      ( 30) 1111111111111111111111111010
  0xffffffb,  28, //      ( 31) 1111111111111111111111111011
  0x14,        6, // ' '  ( 32) 010100
  0x3f8,      10, // '!'  ( 33) 1111111000
  0x3f9,      10, // '"'  ( 34) 1111111001
  0xffa,      12, // '#'  ( 35) 111111111010
  0x1ff9,     13, // '$'  ( 36) 1111111111001
  0x15,        6, // '%'  ( 37) 010101
  0xf8,        8, // '&'  ( 38) 11111000
  0x7fa,      11, // '\'' ( 39) 11111111010
  0x3fa,      10, // '('  ( 40) 1111111010
  0x3fb,      10, // ')'  ( 41) 1111111011
  0xf9,        8, // '*'  ( 42) 11111001
  0x7fb,      11, // '+'  ( 43) 11111111011
  0xfa,        8, // ','  ( 44) 11111010
  0x16,        6, // '-'  ( 45) 010110
  0x17,        6, // '.'  ( 46) 010111
  0x18,        6, // '/'  ( 47) 011000
  0x0,         5, // '0'  ( 48) 00000
  0x1,         5, // '1'  ( 49) 00001
  0x2,         5, // '2'  ( 50) 00010
  0x19,        6, // '3'  ( 51) 011001
  0x1a,        6, // '4'  ( 52) 011010
  0x1b,        6, // '5'  ( 53) 011011
  0x1c,        6, // '6'  ( 54) 011100
  0x1d,        6, // '7'  ( 55) 011101
  0x1e,        6, // '8'  ( 56) 011110
  0x1f,        6, // '9'  ( 57) 011111
  0x5c,        7, // ':'  ( 58) 1011100
  0xfb,        8, // ';'  ( 59) 11111011
  0x7ffc,     15, // '<'  ( 60) 111111111111100
  0x20,        6, // '='  ( 61) 100000
  0xffb,      12, // '>'  ( 62) 111111111011
  0x3fc,      10, // '?'  ( 63) 1111111100
  0x1ffa,     13, // '@'  ( 64) 1111111111010
  0x21,        6, // 'A'  ( 65) 100001
  0x5d,        7, // 'B'  ( 66) 1011101
  0x5e,        7, // 'C'  ( 67) 1011110
  0x5f,        7, // 'D'  ( 68) 1011111
  0x60,        7, // 'E'  ( 69) 1100000
  0x61,        7, // 'F'  ( 70) 1100001
  0x62,        7, // 'G'  ( 71) 1100010
  0x63,        7, // 'H'  ( 72) 1100011
  0x64,        7, // 'I'  ( 73) 1100100
  0x65,        7, // 'J'  ( 74) 1100101
  0x66,        7, // 'K'  ( 75) 1100110
  0x67,        7, // 'L'  ( 76) 1100111
  0x68,        7, // 'M'  ( 77) 1101000
  0x69,        7, // 'N'  ( 78) 1101001
  0x6a,        7, // 'O'  ( 79) 1101010
  0x6b,        7, // 'P'  ( 80) 1101011
  0x6c,        7, // 'Q'  ( 81) 1101100
  0x6d,        7, // 'R'  ( 82) 1101101
  0x6e,        7, // 'S'  ( 83) 1101110
  0x6f,        7, // 'T'  ( 84) 1101111
  0x70,        7, // 'U'  ( 85) 1110000
  0x71,        7, // 'V'  ( 86) 1110001
  0x72,        7, // 'W'  ( 87) 1110010
  0xfc,        8, // 'X'  ( 88) 11111100
  0x73,        7, // 'Y'  ( 89) 1110011
  0xfd,        8, // 'Z'  ( 90) 11111101
  0x1ffb,     13, // '['  ( 91) 1111111111011
  0x7fff0,    19, // '\\' ( 92) 1111111111111110000
  0x1ffc,     13, // ']'  ( 93) 1111111111100
  0x3ffc,     14, // '^'  ( 94) 11111111111100
  0x22,        6, // '_'  ( 95) 100010
  0x7ffd,     15, // '`'  ( 96) 111111111111101
  0x3,         5, // 'a'  ( 97) 00011
  0x23,        6, // 'b'  ( 98) 100011
  0x4,         5, // 'c'  ( 99) 00100
  0x24,        6, // 'd'  (100) 100100
  0x5,         5, // 'e'  (101) 00101
  0x25,        6, // 'f'  (102) 100101
  0x26,        6, // 'g'  (103) 100110
  0x27,        6, // 'h'  (104) 100111
  0x6,         5, // 'i'  (105) 00110
  0x74,        7, // 'j'  (106) 1110100
  0x75,        7, // 'k'  (107) 1110101
  0x28,        6, // 'l'  (108) 101000
  0x29,        6, // 'm'  (109) 101001
  0x2a,        6, // 'n'  (110) 101010
  0x7,         5, // 'o'  (111) 00111
  0x2b,        6, // 'p'  (112) 101011
  0x76,        7, // 'q'  (113) 1110110
  0x2c,        6, // 'r'  (114) 101100
  0x8,         5, // 's'  (115) 01000
  0x9,         5, // 't'  (116) 01001
  0x2d,        6, // 'u'  (117) 101101
  0x77,        7, // 'v'  (118) 1110111
  0x78,        7, // 'w'  (119) 1111000
  0x79,        7, // 'x'  (120) 1111001
  0x7a,        7, // 'y'  (121) 1111010
  0x7b,        7, // 'z'  (122) 1111011
  0x7ffe,     15, // '{'  (123) 111111111111110
  0x7fc,      11, // '|'  (124) 11111111100
  0x3ffd,     14, // '}'  (125) 11111111111101
  0x1ffd,     13, // '~'  (126) 1111111111101
  0xffffffc,  28, //      (127) 1111111111111111111111111100
  0xfffe6,    20, //      (128) 11111111111111100110
  0x3fffd2,   22, //      (129) 1111111111111111010010
  0xfffe7,    20, //      (130) 11111111111111100111
  0xfffe8,    20, //      (131) 11111111111111101000
  0x3fffd3,   22, //      (132) 1111111111111111010011
  0x3fffd4,   22, //      (133) 1111111111111111010100
  0x3fffd5,   22, //      (134) 1111111111111111010101
  0x7fffd9,   23, //      (135) 11111111111111111011001
  0x3fffd6,   22, //      (136) 1111111111111111010110
  0x7fffda,   23, //      (137) 11111111111111111011010
  0x7fffdb,   23, //      (138) 11111111111111111011011
  0x7fffdc,   23, //      (139) 11111111111111111011100
  0x7fffdd,   23, //      (140) 11111111111111111011101
  0x7fffde,   23, //      (141) 11111111111111111011110
  0xffffeb,   24, //      (142) 111111111111111111101011
  0x7fffdf,   23, //      (143) 11111111111111111011111
  0xffffec,   24, //      (144) 111111111111111111101100
  0xffffed,   24, //      (145) 111111111111111111101101
  0x3fffd7,   22, //      (146) 1111111111111111010111
  0x7fffe0,   23, //      (147) 11111111111111111100000
  0xffffee,   24, //      (148) 111111111111111111101110
  0x7fffe1,   23, //      (149) 11111111111111111100001
  0x7fffe2,   23, //      (150) 11111111111111111100010
  0x7fffe3,   23, //      (151) 11111111111111111100011
  0x7fffe4,   23, //      (152) 11111111111111111100100
  0x1fffdc,   21, //      (153) 111111111111111011100
  0x3fffd8,   22, //      (154) 1111111111111111011000
  0x7fffe5,   23, //      (155) 11111111111111111100101
  0x3fffd9,   22, //      (156) 1111111111111111011001
  0x7fffe6,   23, //      (157) 11111111111111111100110
  0x7fffe7,   23, //      (158) 11111111111111111100111
  0xffffef,   24, //      (159) 111111111111111111101111
  0x3fffda,   22, //      (160) 1111111111111111011010
  0x1fffdd,   21, //      (161) 111111111111111011101
  0xfffe9,    20, //      (162) 11111111111111101001
  0x3fffdb,   22, //      (163) 1111111111111111011011
  0x3fffdc,   22, //      (164) 1111111111111111011100
  0x7fffe8,   23, //      (165) 11111111111111111101000
  0x7fffe9,   23, //      (166) 11111111111111111101001
  0x1fffde,   21, //      (167) 111111111111111011110
  0x7fffea,   23, //      (168) 11111111111111111101010
  0x3fffdd,   22, //      (169) 1111111111111111011101
  0x3fffde,   22, //      (170) 1111111111111111011110
  0xfffff0,   24, //      (171) 111111111111111111110000
  0x1fffdf,   21, //      (172) 111111111111111011111
  0x3fffdf,   22, //      (173) 1111111111111111011111
  0x7fffeb,   23, //      (174) 11111111111111111101011
  0x7fffec,   23, //      (175) 11111111111111111101100
  0x1fffe0,   21, //      (176) 111111111111111100000
  0x1fffe1,   21, //      (177) 111111111111111100001
  0x3fffe0,   22, //      (178) 1111111111111111100000
  0x1fffe2,   21, //      (179) 111111111111111100010
  0x7fffed,   23, //      (180) 11111111111111111101101
  0x3fffe1,   22, //      (181) 1111111111111111100001
  0x7fffee,   23, //      (182) 11111111111111111101110
  0x7fffef,   23, //      (183) 11111111111111111101111
  0xfffea,    20, //      (184) 11111111111111101010
  0x3fffe2,   22, //      (185) 1111111111111111100010
  0x3fffe3,   22, //      (186) 1111111111111111100011
  0x3fffe4,   22, //      (187) 1111111111111111100100
  0x7ffff0,   23, //      (188) 11111111111111111110000
  0x3fffe5,   22, //      (189) 1111111111111111100101
  0x3fffe6,   22, //      (190) 1111111111111111100110
  0x7ffff1,   23, //      (191) 11111111111111111110001
  0x3ffffe0,  26, //      (192) 11111111111111111111100000
  0x3ffffe1,  26, //      (193) 11111111111111111111100001
  0xfffeb,    20, //      (194) 11111111111111101011
  0x7fff1,    19, //      (195) 1111111111111110001
  0x3fffe7,   22, //      (196) 1111111111111111100111
  0x7ffff2,   23, //      (197) 11111111111111111110010
  0x3fffe8,   22, //      (198) 1111111111111111101000
  0x1ffffec,  25, //      (199) 1111111111111111111101100
  0x3ffffe2,  26, //      (200) 11111111111111111111100010
  0x3ffffe3,  26, //      (201) 11111111111111111111100011
  0x3ffffe4,  26, //      (202) 11111111111111111111100100
  0x7ffffde,  27, //      (203) 111111111111111111111011110
  0x7ffffdf,  27, //      (204) 111111111111111111111011111
  0x3ffffe5,  26, //      (205) 11111111111111111111100101
  0xfffff1,   24, //      (206) 111111111111111111110001
  0x1ffffed,  25, //      (207) 1111111111111111111101101
  0x7fff2,    19, //      (208) 1111111111111110010
  0x1fffe3,   21, //      (209) 111111111111111100011
  0x3ffffe6,  26, //      (210) 11111111111111111111100110
  0x7ffffe0,  27, //      (211) 111111111111111111111100000
  0x7ffffe1,  27, //      (212) 111111111111111111111100001
  0x3ffffe7,  26, //      (213) 11111111111111111111100111
  0x7ffffe2,  27, //      (214) 111111111111111111111100010
  0xfffff2,   24, //      (215) 111111111111111111110010
  0x1fffe4,   21, //      (216) 111111111111111100100
  0x1fffe5,   21, //      (217) 111111111111111100101
  0x3ffffe8,  26, //      (218) 11111111111111111111101000
  0x3ffffe9,  26, //      (219) 11111111111111111111101001
  0xffffffd,  28, //      (220) 1111111111111111111111111101
  0x7ffffe3,  27, //      (221) 111111111111111111111100011
  0x7ffffe4,  27, //      (222) 111111111111111111111100100
  0x7ffffe5,  27, //      (223) 111111111111111111111100101
  0xfffec,    20, //      (224) 11111111111111101100
  0xfffff3,   24, //      (225) 111111111111111111110011
  0xfffed,    20, //      (226) 11111111111111101101
  0x1fffe6,   21, //      (227) 111111111111111100110
  0x3fffe9,   22, //      (228) 1111111111111111101001
  0x1fffe7,   21, //      (229) 111111111111111100111
  0x1fffe8,   21, //      (230) 111111111111111101000
  0x7ffff3,   23, //      (231) 11111111111111111110011
  0x3fffea,   22, //      (232) 1111111111111111101010
  0x3fffeb,   22, //      (233) 1111111111111111101011
  0x1ffffee,  25, //      (234) 1111111111111111111101110
  0x1ffffef,  25, //      (235) 1111111111111111111101111
  0xfffff4,   24, //      (236) 111111111111111111110100
  0xfffff5,   24, //      (237) 111111111111111111110101
  0x3ffffea,  26, //      (238) 11111111111111111111101010
  0x7ffff4,   23, //      (239) 11111111111111111110100
  0x3ffffeb,  26, //      (240) 11111111111111111111101011
  0x7ffffe6,  27, //      (241) 111111111111111111111100110
  0x3ffffec,  26, //      (242) 11111111111111111111101100
  0x3ffffed,  26, //      (243) 11111111111111111111101101
  0x7ffffe7,  27, //      (244) 111111111111111111111100111
  0x7ffffe8,  27, //      (245) 111111111111111111111101000
  0x7ffffe9,  27, //      (246) 111111111111111111111101001
  0x7ffffea,  27, //      (247) 111111111111111111111101010
  0x7ffffeb,  27, //      (248) 111111111111111111111101011
  0xffffffe,  28, //      (249) 1111111111111111111111111110
  0x7ffffec,  27, //      (250) 111111111111111111111101100
  0x7ffffed,  27, //      (251) 111111111111111111111101101
  0x7ffffee,  27, //      (252) 111111111111111111111101110
  0x7ffffef,  27, //      (253) 111111111111111111111101111
  0x7fffff0,  27, //      (254) 111111111111111111111110000
  0x3ffffee,  26, //      (255) 11111111111111111111101110
  0x3fffffff, 30, // EOS  (256) 111111111111111111111111111111
];

/** Code of each symbol 0..256 (256 = EOS), right-aligned. */
export const HUFFMAN_CODES = new Uint32Array(257);
/** Length in bits of each symbol's code (5 to 30). */
export const HUFFMAN_LENGTHS = new Uint8Array(257);
for (let sym = 0; sym < 257; sym++) {
  HUFFMAN_CODES[sym] = APPENDIX_B[2 * sym]!;
  HUFFMAN_LENGTHS[sym] = APPENDIX_B[2 * sym + 1]!;
}

const EOS = 256;

// ---- decoding: the 4-bit state machine ----

/** Entry flags (bits 0-7: next state; bits 16-23: the symbol when SYM is set). */
const SYM = 0x100;
const ACCEPT = 0x200;
const FAIL = 0x400;

/** DECODE[(state << 4) | nibble] for the 256 states. */
const DECODE = new Uint32Array(256 * 16);

function buildDecodeTable(): void {
  // The code's tree: inner nodes are 0..255 (0 the root); a child >= 256 is the leaf of symbol child - 256.
  const child = new Int32Array(256 * 2).fill(-1);
  const depth = new Uint8Array(256);
  const allOnes = new Uint8Array(256);
  allOnes[0] = 1;
  let inner = 1;
  for (let sym = 0; sym < 257; sym++) {
    const code = HUFFMAN_CODES[sym]!;
    const len = HUFFMAN_LENGTHS[sym]!;
    let node = 0;
    for (let i = len - 1; i > 0; i--) {
      const bit = (code >>> i) & 1;
      let next = child[node * 2 + bit]!;
      if (next < 0) {
        next = inner++;
        child[node * 2 + bit] = next;
        depth[next] = depth[node]! + 1;
        allOnes[next] = allOnes[node]! & bit;
      }
      node = next;
    }
    child[node * 2 + (code & 1)] = 256 + sym;
  }
  // A complete prefix code with 257 leaves has exactly 256 inner nodes, each with two children.
  if (inner !== 256 || child.includes(-1)) throw new Error('HPACK Huffman table is not a complete prefix code');

  for (let state = 0; state < 256; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let i = 3; i >= 0; i--) {
        const next = child[node * 2 + ((nibble >>> i) & 1)]!;
        if (next < 256) {
          node = next;
          continue;
        }
        if (next - 256 === EOS) {
          entry = FAIL;
          break;
        }
        entry = SYM | ((next - 256) << 16);
        node = 0;
      }
      if (entry !== FAIL && allOnes[node] === 1 && depth[node]! <= 7) entry |= ACCEPT;
      DECODE[(state << 4) | nibble] = entry === FAIL ? FAIL : entry | node;
    }
  }
}
buildDecodeTable();

/** Decoded octets before they become a string; grows up to KEEP_SCRATCH, larger strings get their own buffer. */
let scratch = Buffer.allocUnsafe(256);
const KEEP_SCRATCH = 64 * 1024;

/**
 * Decodes the Huffman-coded octets buf[start, end) into a latin1 string (one
 * char per octet). Throws HpackError for an EOS in the string or padding that
 * is longer than 7 bits or not all ones.
 */
export function huffmanDecode(buf: Uint8Array, start: number, end: number): string {
  // Every symbol takes at least 5 bits.
  const most = Math.floor(((end - start) * 8) / 5);
  if (scratch.length < most && most <= KEEP_SCRATCH) scratch = Buffer.allocUnsafe(Math.min(KEEP_SCRATCH, Math.max(most, scratch.length * 2)));
  const out = scratch.length >= most ? scratch : Buffer.allocUnsafe(most);
  let n = 0;
  let state = 0;
  let entry = ACCEPT;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    entry = DECODE[(state << 4) | (b >>> 4)]!;
    if (entry & FAIL) throw new HpackError('HPACK: EOS in a Huffman-coded string');
    if (entry & SYM) out[n++] = entry >>> 16;
    entry = DECODE[((entry & 0xff) << 4) | (b & 0x0f)]!;
    if (entry & FAIL) throw new HpackError('HPACK: EOS in a Huffman-coded string');
    if (entry & SYM) out[n++] = entry >>> 16;
    state = entry & 0xff;
  }
  if ((entry & ACCEPT) === 0) throw new HpackError('HPACK: bad padding at the end of a Huffman-coded string');
  return latin1(out, n);
}

/** out[0, n) as a latin1 string: up to 12 chars (below V8's cons-string length, so the result stays flat) without a call into C++. */
function latin1(out: Buffer, n: number): string {
  if (n > 12) return out.toString('latin1', 0, n);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(out[i]!);
  return s;
}

// ---- encoding ----

/** Length in octets of `s` (a latin1 string: one octet per char) once Huffman-coded. */
export function huffmanEncodedLength(s: string): number {
  let bits = 0;
  for (let i = 0; i < s.length; i++) bits += HUFFMAN_LENGTHS[s.charCodeAt(i) & 0xff]!;
  return (bits + 7) >>> 3;
}

/**
 * Writes `s` (latin1) Huffman-coded into target at offset, padded with the
 * most significant bits of EOS (ones); returns the offset after it. The
 * target must have huffmanEncodedLength(s) octets free there.
 */
export function huffmanEncode(s: string, target: Uint8Array, offset: number): number {
  let pos = offset;
  // acc's low `bits` bits are pending output (bits < 8 between symbols); higher bits are garbage.
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const sym = s.charCodeAt(i) & 0xff;
    const len = HUFFMAN_LENGTHS[sym]!;
    const code = HUFFMAN_CODES[sym]!;
    if (len <= 24) {
      acc = (acc << len) | code;
      bits += len;
    } else {
      // 7 pending bits + 30 would not fit 32: put the high part through first.
      acc = (acc << (len - 16)) | (code >>> 16);
      bits += len - 16;
      while (bits >= 8) {
        bits -= 8;
        target[pos++] = acc >>> bits;
      }
      acc = (acc << 16) | (code & 0xffff);
      bits += 16;
    }
    while (bits >= 8) {
      bits -= 8;
      target[pos++] = acc >>> bits;
    }
  }
  if (bits > 0) target[pos++] = (acc << (8 - bits)) | (0xff >>> bits);
  return pos;
}
