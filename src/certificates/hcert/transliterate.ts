/**
 * Standardised names for the EU DCC `fnt`/`gnt` fields: ICAO 9303 part 3 machine-readable
 * form, A–Z and '<' only, at most 80 characters.
 *
 * Choice for Thai names: the passport's Latin spelling is the right answer (it is what a
 * border officer compares), so callers should pass `givenNameLatin`/`familyNameLatin` when the
 * person registered a passport. Without it we fall back to a simplified RTGS romanisation of
 * the Thai script (Royal Institute system: consonant initial/final values, vowels reordered,
 * implicit 'o'/'a', silent letters under the thanthakhat). It is a heuristic, not a full
 * RTGS implementation: Thai spelling needs a dictionary for some syllables (e.g. ทร as "s"),
 * and people's own spellings (Somchai vs Somchay) vary anyway.
 */

/** ICAO 9303 transliterations that are not just "drop the accent". */
const ICAO_SPECIAL: Record<string, string> = {
  Ä: 'AE', Æ: 'AE', Å: 'AA', Ö: 'OE', Ø: 'OE', Œ: 'OE', Ü: 'UE', ß: 'SS', ẞ: 'SS', Þ: 'TH', Ð: 'D', Đ: 'D', Ł: 'L', Ħ: 'H', Ĳ: 'IJ', ı: 'I',
};

/** Latin (or already romanised) text → ICAO 9303 MRZ form. */
export function icaoTransliterate(name: string): string {
  const upper = name.toUpperCase();
  let out = '';
  for (const char of upper) out += ICAO_SPECIAL[char] ?? char;
  out = out
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/['’`.,]/g, '') // apostrophes and punctuation are omitted
    .replace(/[\s\-‐–]+/g, '<') // spaces and hyphens become fillers
    .replace(/[^A-Z<]/g, '')
    .replace(/<+/g, '<')
    .replace(/^<|<$/g, '');
  return out.slice(0, 80);
}

// ---------------------------------------------------------------------------------------
// Thai → Latin (simplified RTGS)

const INITIAL: Record<string, string> = {
  ก: 'k', ข: 'kh', ฃ: 'kh', ค: 'kh', ฅ: 'kh', ฆ: 'kh', ง: 'ng', จ: 'ch', ฉ: 'ch', ช: 'ch', ซ: 's', ฌ: 'ch', ญ: 'y', ฎ: 'd', ฏ: 't',
  ฐ: 'th', ฑ: 'th', ฒ: 'th', ณ: 'n', ด: 'd', ต: 't', ถ: 'th', ท: 'th', ธ: 'th', น: 'n', บ: 'b', ป: 'p', ผ: 'ph', ฝ: 'f', พ: 'ph',
  ฟ: 'f', ภ: 'ph', ม: 'm', ย: 'y', ร: 'r', ฤ: 'rue', ล: 'l', ฦ: 'lue', ว: 'w', ศ: 's', ษ: 's', ส: 's', ห: 'h', ฬ: 'l', อ: '', ฮ: 'h',
};
const FINAL: Record<string, string> = {
  ก: 'k', ข: 'k', ค: 'k', ฆ: 'k', ง: 'ng', จ: 't', ช: 't', ซ: 't', ฌ: 't', ญ: 'n', ฎ: 't', ฏ: 't', ฐ: 't', ฑ: 't', ฒ: 't', ณ: 'n',
  ด: 't', ต: 't', ถ: 't', ท: 't', ธ: 't', น: 'n', บ: 'p', ป: 'p', พ: 'p', ฟ: 'p', ภ: 'p', ม: 'm', ย: 'i', ร: 'n', ล: 'n', ว: 'o',
  ศ: 't', ษ: 't', ส: 't', ฬ: 'n',
};
const VOWEL: Record<string, string> = { 'ะ': 'a', 'ั': 'a', 'า': 'a', 'ำ': 'am', 'ิ': 'i', 'ี': 'i', 'ึ': 'ue', 'ื': 'ue', 'ุ': 'u', 'ู': 'u' };
const PREPOSED: Record<string, string> = { เ: 'e', แ: 'ae', โ: 'o', ใ: 'ai', ไ: 'ai' };
const SILENT = /[\u0E47-\u0E4B\u0E4D\u0E46\u0E2F]/; // ็ ่ ้ ๊ ๋ ํ ๆ ฯ
const THANTHAKHAT = '\u0E4C';
const CLUSTER_SECOND = new Set(['ร', 'ล', 'ว']);
const CLUSTER_FIRST = new Set(['ก', 'ข', 'ค', 'ป', 'พ', 'ผ', 'ต']);

const LEADABLE = new Set(['ง', 'ญ', 'น', 'ม', 'ย', 'ร', 'ล', 'ว']);
const isConsonant = (char: string | undefined): boolean => char !== undefined && char in INITIAL;
const isVowelMark = (char: string | undefined): boolean => char !== undefined && (char in VOWEL || char === THANTHAKHAT);

export function romanizeThai(text: string): string {
  const chars = [...text.normalize('NFC')].filter((char) => !SILENT.test(char));
  let out = '';
  let syllableHasVowel = false;
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    const next = chars[i + 1];
    if (!/[\u0E00-\u0E7F]/.test(char)) {
      out += char;
      syllableHasVowel = false;
      continue;
    }
    if (isConsonant(char) && next === THANTHAKHAT) {
      i += 1; // silent letter
      continue;
    }
    if (isConsonant(char) && chars[i + 2] === THANTHAKHAT && isVowelMark(next)) {
      i += 2; // silent letter with its vowel (ดิ์)
      continue;
    }
    if (char in PREPOSED) {
      // The vowel is written before the consonant(s) it follows in speech.
      let onset = '';
      let j = i + 1;
      if (chars[j] === 'ห' && LEADABLE.has(chars[j + 1]!)) j += 1; // ห นำ: a silent tone-class marker
      if (isConsonant(chars[j])) {
        onset += INITIAL[chars[j]!]!;
        j += 1;
      }
      if (CLUSTER_FIRST.has(chars[j - 1]!) && (chars[j] === 'ร' || chars[j] === 'ล')) {
        onset += INITIAL[chars[j]!]!;
        j += 1;
      }
      let vowel = PREPOSED[char]!;
      const [v1, v2] = [chars[j], chars[j + 1]];
      if (char === 'เ' && v1 === 'ี' && v2 === 'ย') [vowel, j] = ['ia', j + 2];
      else if (char === 'เ' && v1 === 'ื' && v2 === 'อ') [vowel, j] = ['uea', j + 2];
      else if (char === 'เ' && v1 === 'า') [vowel, j] = ['ao', j + 1];
      else if (char === 'เ' && (v1 === 'อ' || v1 === 'ิ')) [vowel, j] = ['oe', j + 1];
      else if (v1 === 'ะ') j += 1;
      out += onset + vowel;
      syllableHasVowel = true;
      i = j - 1;
      continue;
    }
    if (char === 'ั' && next === 'ว') {
      out += 'ua';
      syllableHasVowel = true;
      i += 1;
      continue;
    }
    if (char in VOWEL) {
      out += VOWEL[char];
      syllableHasVowel = true;
      continue;
    }
    if (!isConsonant(char)) continue;
    if (char === 'ห' && !syllableHasVowel && next !== undefined && LEADABLE.has(next)) continue; // ห นำ
    const followedByVowel = isVowelMark(next) || next === 'ั';
    if (syllableHasVowel && !followedByVowel) {
      // Closes the syllable. 'ไทย', 'ชาย': final ย after an i-sound adds nothing.
      const final = FINAL[char] ?? '';
      if (!(char === 'ย' && out.endsWith('i'))) out += final;
      syllableHasVowel = false;
      continue;
    }
    // Starts a syllable.
    let onset = INITIAL[char]!;
    if (CLUSTER_FIRST.has(char) && next !== undefined && CLUSTER_SECOND.has(next) && next !== 'ว' && isVowelMark(chars[i + 2])) {
      onset += INITIAL[next]!;
      i += 1;
    }
    out += onset;
    syllableHasVowel = false;
    const after = chars[i + 1];
    if (isVowelMark(after) || after === undefined || !/[\u0E00-\u0E7F]/.test(after)) continue;
    if (after === 'อ' && isConsonant(chars[i + 2]) && !isVowelMark(chars[i + 3])) {
      out += 'o'; // C-อ-C: the vowel "o"
      syllableHasVowel = true;
      i += 1;
    } else if (after === 'ว' && isConsonant(chars[i + 2]) && !isVowelMark(chars[i + 3])) {
      out += 'ua'; // C-ว-C: the vowel "ua"
      syllableHasVowel = true;
      i += 1;
    } else if (isConsonant(after)) {
      // No written vowel: 'o' when the next consonant closes this syllable, else a short 'a'.
      const closes = !isVowelMark(chars[i + 2]) && chars[i + 2] !== 'ั';
      out += closes ? 'o' : 'a';
      syllableHasVowel = true;
    }
  }
  return out;
}

/** The `*t` field for a name: Thai script is romanised first, then ICAO 9303 applies. */
export function standardisedName(name: string): string {
  const latin = /[\u0E00-\u0E7F]/.test(name) ? romanizeThai(name) : name;
  return icaoTransliterate(latin);
}
