/**
 * Demo hospitals: about 1,500 synthetic but realistic vaccination sites in all 77 provinces,
 * seeded into `hospital`. Nothing here is a real facility: names, codes, phone numbers and
 * positions are made up (Bangkok's khet and the provinces are real, other district names are
 * composed from common place-name words).
 *
 * The shape follows Thailand's public health system: in each province a regional (ศูนย์) or
 * general (ทั่วไป) hospital in the capital district, a community (ชุมชน) hospital in every
 * other district (the biggest districts get a general hospital instead), university hospitals
 * in the provinces with a medical school; then private and field hospitals shared out by
 * population (private ones weighted towards Bangkok and the big cities) up to the total.
 * Bangkok has its 50 khet, a few city hospitals and many private ones.
 *
 * Codes are 5 digits: the province code, then a number within the province (10001–10010 are
 * kept for the named demo hospitals of the README, DEMO_HOSPITALS). Phones are fixed lines in
 * Thai format with the province's area code ("02-123-4567", "043-123-456").
 *
 * Deterministic: the output depends only on the seed, the total and the data files (each
 * province draws from its own random stream, so editing one province leaves the others as
 * they were). No Math.random, no clock.
 */
import { provinces, type ProvinceSeed } from './provinces.js';
import { capitalOf, type ProvinceCapital } from './province-capitals.js';
import { createRandom, type Random } from './random.js';

export const hospitalTypes = ['regional', 'general', 'community', 'private', 'university', 'field'] as const;
export type HospitalType = (typeof hospitalTypes)[number];

export interface HospitalSeed {
  /** 5 digits, unique. */
  code: string;
  nameTh: string;
  nameEn: string;
  provinceCode: string;
  districtTh: string;
  districtEn: string;
  latitude: number;
  longitude: number;
  type: HospitalType;
  /** Fixed line, Thai format. */
  phone: string;
}

export const HOSPITAL_SEED = 20210228; // 28 Feb 2021, Thailand's first COVID-19 vaccinations
export const HOSPITAL_TOTAL = 1500;

/** Share of the sites above the public-hospital backbone that are private (the rest: field hospitals). */
const PRIVATE_SHARE = 0.7;

/**
 * The named demo hospitals in Bangkok that the README and the demo seed use. "สาธิต"
 * (demonstration) in every name says they are not real.
 */
export const DEMO_HOSPITALS: ReadonlyArray<HospitalSeed> = [
  {
    code: '10001',
    nameTh: 'โรงพยาบาลสาธิตพระนคร',
    nameEn: 'Phra Nakhon Demonstration Hospital',
    provinceCode: '10',
    districtTh: 'พระนคร',
    districtEn: 'Phra Nakhon',
    latitude: 13.7563,
    longitude: 100.4991,
    type: 'general',
    phone: '02-225-1001',
  },
  {
    code: '10002',
    nameTh: 'โรงพยาบาลมหาวิทยาลัยสาธิตราชเทวี',
    nameEn: 'Ratchathewi Demonstration University Hospital',
    provinceCode: '10',
    districtTh: 'ราชเทวี',
    districtEn: 'Ratchathewi',
    latitude: 13.7655,
    longitude: 100.5313,
    type: 'university',
    phone: '02-354-1002',
  },
  {
    code: '10003',
    nameTh: 'ศูนย์ฉีดวัคซีนสาธิตบางซื่อ',
    nameEn: 'Bang Sue Demonstration Vaccination Centre',
    provinceCode: '10',
    districtTh: 'บางซื่อ',
    districtEn: 'Bang Sue',
    latitude: 13.8036,
    longitude: 100.5403,
    type: 'field',
    phone: '02-587-1003',
  },
  {
    code: '10004',
    nameTh: 'โรงพยาบาลสาธิตสุขุมวิท',
    nameEn: 'Sukhumvit Demonstration Hospital',
    provinceCode: '10',
    districtTh: 'วัฒนา',
    districtEn: 'Watthana',
    latitude: 13.7372,
    longitude: 100.5602,
    type: 'private',
    phone: '02-259-1004',
  },
  {
    code: '10005',
    nameTh: 'โรงพยาบาลสาธิตลาดกระบัง',
    nameEn: 'Lat Krabang Demonstration Hospital',
    provinceCode: '10',
    districtTh: 'ลาดกระบัง',
    districtEn: 'Lat Krabang',
    latitude: 13.7228,
    longitude: 100.7592,
    type: 'community',
    phone: '02-326-1005',
  },
];

export const DEMO_HOSPITAL_CODES: readonly string[] = DEMO_HOSPITALS.map((h) => h.code);

/** Generated Bangkok codes start here; 10001–10010 belong to the named demo hospitals. */
const FIRST_GENERATED_BANGKOK_NUMBER = 11;

/** Bangkok's 50 khet with their approximate centres; Phra Nakhon, the old city, first. */
const BANGKOK_KHET: ReadonlyArray<readonly [th: string, en: string, latitude: number, longitude: number]> = [
  ['พระนคร', 'Phra Nakhon', 13.756, 100.499],
  ['ดุสิต', 'Dusit', 13.777, 100.52],
  ['หนองจอก', 'Nong Chok', 13.855, 100.862],
  ['บางรัก', 'Bang Rak', 13.73, 100.524],
  ['บางเขน', 'Bang Khen', 13.873, 100.596],
  ['บางกะปิ', 'Bang Kapi', 13.766, 100.648],
  ['ปทุมวัน', 'Pathum Wan', 13.744, 100.534],
  ['ป้อมปราบศัตรูพ่าย', 'Pom Prap Sattru Phai', 13.758, 100.513],
  ['พระโขนง', 'Phra Khanong', 13.702, 100.601],
  ['มีนบุรี', 'Min Buri', 13.814, 100.748],
  ['ลาดกระบัง', 'Lat Krabang', 13.722, 100.759],
  ['ยานนาวา', 'Yan Nawa', 13.696, 100.543],
  ['สัมพันธวงศ์', 'Samphanthawong', 13.731, 100.514],
  ['พญาไท', 'Phaya Thai', 13.78, 100.543],
  ['ธนบุรี', 'Thon Buri', 13.725, 100.486],
  ['บางกอกใหญ่', 'Bangkok Yai', 13.723, 100.476],
  ['ห้วยขวาง', 'Huai Khwang', 13.777, 100.579],
  ['คลองสาน', 'Khlong San', 13.731, 100.51],
  ['ตลิ่งชัน', 'Taling Chan', 13.777, 100.457],
  ['บางกอกน้อย', 'Bangkok Noi', 13.771, 100.468],
  ['บางขุนเทียน', 'Bang Khun Thian', 13.661, 100.435],
  ['ภาษีเจริญ', 'Phasi Charoen', 13.715, 100.437],
  ['หนองแขม', 'Nong Khaem', 13.705, 100.349],
  ['ราษฎร์บูรณะ', 'Rat Burana', 13.682, 100.506],
  ['บางพลัด', 'Bang Phlat', 13.794, 100.505],
  ['ดินแดง', 'Din Daeng', 13.77, 100.553],
  ['บึงกุ่ม', 'Bueng Kum', 13.785, 100.669],
  ['สาทร', 'Sathon', 13.708, 100.526],
  ['บางซื่อ', 'Bang Sue', 13.81, 100.537],
  ['จตุจักร', 'Chatuchak', 13.829, 100.56],
  ['บางคอแหลม', 'Bang Kho Laem', 13.694, 100.503],
  ['ประเวศ', 'Prawet', 13.717, 100.694],
  ['คลองเตย', 'Khlong Toei', 13.708, 100.584],
  ['สวนหลวง', 'Suan Luang', 13.73, 100.651],
  ['จอมทอง', 'Chom Thong', 13.678, 100.485],
  ['ดอนเมือง', 'Don Mueang', 13.913, 100.59],
  ['ราชเทวี', 'Ratchathewi', 13.759, 100.534],
  ['ลาดพร้าว', 'Lat Phrao', 13.804, 100.608],
  ['วัฒนา', 'Watthana', 13.742, 100.586],
  ['บางแค', 'Bang Khae', 13.696, 100.409],
  ['หลักสี่', 'Lak Si', 13.887, 100.579],
  ['สายไหม', 'Sai Mai', 13.92, 100.646],
  ['คันนายาว', 'Khan Na Yao', 13.827, 100.675],
  ['สะพานสูง', 'Saphan Sung', 13.769, 100.685],
  ['วังทองหลาง', 'Wang Thonglang', 13.78, 100.606],
  ['คลองสามวา', 'Khlong Sam Wa', 13.86, 100.704],
  ['บางนา', 'Bang Na', 13.668, 100.605],
  ['ทวีวัฒนา', 'Thawi Watthana', 13.788, 100.355],
  ['ทุ่งครุ', 'Thung Khru', 13.612, 100.509],
  ['บางบอน', 'Bang Bon', 13.634, 100.369],
];

/** Bangkok's city hospitals (besides Phra Nakhon's): this many general, then community. */
const BANGKOK_CITY_GENERAL = 8;
const BANGKOK_CITY_COMMUNITY = 7;

/** Provinces whose capital hospital is a regional (ศูนย์) hospital; the others have a general one. */
const REGIONAL_HOSPITAL_PROVINCES = new Set([
  '11', '14', '16', '19', '20', '21', '22', '25', '30', '31', '32', '34', '40', '41', '45', '47', '48',
  '50', '52', '53', '57', '60', '65', '70', '71', '72', '73', '74', '80', '83', '84', '90', '92', '95',
]);

/** Provinces with a medical school's hospital (in the capital district); Bangkok's are by khet. */
const UNIVERSITY_PROVINCES = new Set(['13', '20', '26', '30', '40', '44', '50', '56', '65', '90']);
const BANGKOK_UNIVERSITY_KHET = ['ปทุมวัน', 'บางกอกน้อย', 'ดุสิต', 'ราชเทวี'];

/** Where private hospitals cluster: these weigh double (Bangkok four times) in the share-out. */
const PRIVATE_HOTSPOTS = new Set(['11', '12', '13', '20', '21', '30', '40', '41', '50', '74', '83', '90']);

/** Place-name words by region (Thai, RTGS), for synthetic district names: prefix + suffix. */
type Word = readonly [th: string, en: string];
const PREFIXES: Record<'north' | 'northeast' | 'south' | 'other', readonly Word[]> = {
  north: [['แม่', 'Mae'], ['เวียง', 'Wiang'], ['ดอย', 'Doi'], ['เชียง', 'Chiang'], ['ป่า', 'Pa'], ['บ้าน', 'Ban'],
    ['ทุ่ง', 'Thung'], ['สัน', 'San'], ['วัง', 'Wang'], ['นา', 'Na'], ['ห้วย', 'Huai'], ['ท่า', 'Tha']],
  northeast: [['โนน', 'Non'], ['หนอง', 'Nong'], ['กุด', 'Kut'], ['โคก', 'Khok'], ['นา', 'Na'], ['ดอน', 'Don'],
    ['บ้าน', 'Ban'], ['ห้วย', 'Huai'], ['ท่า', 'Tha'], ['ศรี', 'Si'], ['โพน', 'Phon'], ['ลำ', 'Lam']],
  south: [['ควน', 'Khuan'], ['ทุ่ง', 'Thung'], ['ปาก', 'Pak'], ['เกาะ', 'Ko'], ['บ้าน', 'Ban'], ['นา', 'Na'],
    ['ท่า', 'Tha'], ['ทับ', 'Thap'], ['เขา', 'Khao'], ['บาง', 'Bang'], ['ลำ', 'Lam'], ['ห้วย', 'Huai']],
  other: [['บาง', 'Bang'], ['ท่า', 'Tha'], ['วัง', 'Wang'], ['สาม', 'Sam'], ['บ้าน', 'Ban'], ['ดอน', 'Don'],
    ['หนอง', 'Nong'], ['คลอง', 'Khlong'], ['ศรี', 'Si'], ['บ่อ', 'Bo'], ['เขา', 'Khao'], ['โคก', 'Khok']],
};
const SUFFIXES: readonly Word[] = [
  ['แก้ว', 'Kaeo'], ['ทอง', 'Thong'], ['ใหญ่', 'Yai'], ['น้อย', 'Noi'], ['คำ', 'Kham'], ['ไทร', 'Sai'],
  ['สูง', 'Sung'], ['ยาว', 'Yao'], ['งาม', 'Ngam'], ['ชัย', 'Chai'], ['หลวง', 'Luang'], ['กลาง', 'Klang'],
  ['บัว', 'Bua'], ['เจริญ', 'Charoen'], ['แดง', 'Daeng'], ['หิน', 'Hin'], ['ช้าง', 'Chang'], ['เสือ', 'Suea'],
  ['ม่วง', 'Muang'], ['ยาง', 'Yang'], ['ตาล', 'Tan'], ['พลู', 'Phlu'], ['ไผ่', 'Phai'], ['โพธิ์', 'Pho'],
  ['ศาลา', 'Sala'], ['สวรรค์', 'Sawan'], ['เรือ', 'Ruea'], ['ปลา', 'Pla'], ['ตะเคียน', 'Takhian'], ['พยอม', 'Phayom'],
  ['มะขาม', 'Makham'], ['สำโรง', 'Samrong'], ['กระทุ่ม', 'Krathum'], ['ลาด', 'Lat'], ['จิก', 'Chik'], ['แวง', 'Waeng'],
];

/** Names of the private hospitals' owners and brands (Thai, RTGS); a place name follows. */
const PRIVATE_STEMS: readonly Word[] = [
  ['รวมแพทย์', 'Ruam Phaet'], ['ศรีเวช', 'Si Wet'], ['สหเวช', 'Saha Wet'], ['ประชารักษ์', 'Pracha Rak'],
  ['เวชการุณย์', 'Wetchakarun'], ['ธนบดี', 'Thanabodi'], ['ศิริเวช', 'Siri Wet'], ['นครินทร์', 'Nakharin'],
  ['เกษมสุข', 'Kasem Suk'], ['ราชเวช', 'Rat Wet'], ['สุขใจ', 'Suk Chai'], ['วัฒนเวช', 'Watthana Wet'],
  ['ชัยเวช', 'Chai Wet'], ['พรเวช', 'Phon Wet'], ['เอกชัย', 'Ekkachai'], ['สิริโรจน์', 'Sirirot'],
  ['ธนกร', 'Thanakon'], ['ศุภเวช', 'Suphawet'], ['รักษ์สุข', 'Rak Suk'], ['ประชาเวช', 'Pracha Wet'],
];

/** Thailand's bounding box, a little inside it: a last guard for generated positions. */
const BOUNDS = { minLatitude: 5.7, maxLatitude: 20.4, minLongitude: 97.4, maxLongitude: 105.6 };


function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}

function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function digits(random: Random, length: number): string {
  let out = String(1 + Math.floor(random() * 9)); // a subscriber number never starts with 0
  while (out.length < length) out += String(Math.floor(random() * 10));
  return out;
}

interface Point {
  latitude: number;
  longitude: number;
}

const KM_PER_DEGREE = 111.32;

/** The point `km` away from `from` towards `bearing` (degrees clockwise from north); flat-earth, fine at this scale. */
function offset(from: Point, km: number, bearing: number): Point {
  const radians = (bearing * Math.PI) / 180;
  const latitude = from.latitude + (km * Math.cos(radians)) / KM_PER_DEGREE;
  const longitude = from.longitude + (km * Math.sin(radians)) / (KM_PER_DEGREE * Math.cos((from.latitude * Math.PI) / 180));
  return {
    latitude: Math.min(BOUNDS.maxLatitude, Math.max(BOUNDS.minLatitude, latitude)),
    longitude: Math.min(BOUNDS.maxLongitude, Math.max(BOUNDS.minLongitude, longitude)),
  };
}

/** A point spread evenly over the disc of `km` around `centre`. */
function near(random: Random, centre: Point, km: number): Point {
  return offset(centre, km * Math.sqrt(random()), random() * 360);
}

const round5 = (x: number) => Math.round(x * 1e5) / 1e5;

interface District {
  th: string;
  en: string;
  seat: Point;
}

/** How far from the capital a province's district seats may lie. */
function provinceRadiusKm(capital: ProvinceCapital): number {
  return capital.radiusKm ?? 8 + 11 * Math.sqrt(capital.districts);
}

/** The capital district first, then the others with synthetic names and seats around the capital. */
function districtsOf(province: ProvinceSeed, capital: ProvinceCapital, random: Random): District[] {
  if (province.code === '10') {
    return BANGKOK_KHET.map(([th, en, latitude, longitude]) => ({ th, en, seat: { latitude, longitude } }));
  }
  const centre = { latitude: capital.latitude, longitude: capital.longitude };
  const capitalDistrict =
    province.code === '14'
      ? { th: province.nameTh, en: province.nameEn, seat: centre } // Ayutthaya's capital district is not "Mueang"
      : { th: `เมือง${province.nameTh}`, en: `Mueang ${province.nameEn}`, seat: centre };
  const prefixes =
    province.region === 'north' ? PREFIXES.north
    : province.region === 'northeast' ? PREFIXES.northeast
    : province.region === 'south' ? PREFIXES.south
    : PREFIXES.other;
  const radius = provinceRadiusKm(capital);
  const nearest = Math.min(8, radius / 3);
  const districts: District[] = [capitalDistrict];
  const used = new Set<string>([capitalDistrict.th]);
  while (districts.length < capital.districts) {
    const [prefixTh, prefixEn] = pick(random, prefixes);
    const [suffixTh, suffixEn] = pick(random, SUFFIXES);
    const th = prefixTh + suffixTh;
    if (prefixEn === suffixEn || used.has(th) || th === province.nameTh) continue;
    used.add(th);
    const bearing =
      capital.inlandBearing === undefined ? random() * 360 : capital.inlandBearing + (random() * 2 - 1) * (capital.spreadDegrees ?? 75);
    const km = nearest + Math.sqrt(random()) * (radius - nearest);
    districts.push({ th, en: `${prefixEn} ${suffixEn}`, seat: offset(centre, km, bearing) });
  }
  return districts;
}

/** How many general hospitals (besides the capital's) a province's biggest districts get. */
function districtGeneralHospitals(districts: number): number {
  return districts >= 20 ? 2 : districts >= 12 ? 1 : 0;
}

/** The public backbone of a province: capital, district and university hospitals. */
function publicHospitalCount(province: ProvinceSeed, capital: ProvinceCapital): number {
  if (province.code === '10') return 1 + BANGKOK_CITY_GENERAL + BANGKOK_CITY_COMMUNITY + BANGKOK_UNIVERSITY_KHET.length;
  return capital.districts + (UNIVERSITY_PROVINCES.has(province.code) ? 1 : 0);
}

/** Shares `total` out in proportion to `weights` (largest remainder; ties to the earlier entry). */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const quotas = weights.map((w) => (w / sum) * total);
  const counts = quotas.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = quotas.map((q, i) => ({ i, fraction: q - Math.floor(q) })).sort((a, b) => b.fraction - a.fraction || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    counts[i]! += 1;
    left -= 1;
  }
  return counts;
}

function phoneNumber(random: Random, areaCode: string): string {
  return areaCode === '02' ? `02-${digits(random, 3)}-${digits(random, 4)}` : `${areaCode}-${digits(random, 3)}-${digits(random, 3)}`;
}

/** One province's hospitals, numbered from `firstNumber`. */
function provinceHospitals(options: {
  province: ProvinceSeed;
  capital: ProvinceCapital;
  random: Random;
  privateCount: number;
  fieldCount: number;
  firstNumber: number;
}): HospitalSeed[] {
  const { province, capital, random } = options;
  const bangkok = province.code === '10';
  const districts = districtsOf(province, capital, random);
  const capitalDistrict = districts[0]!;
  const out: HospitalSeed[] = [];
  const usedNames = new Set<string>(bangkok ? DEMO_HOSPITALS.flatMap((h) => [h.nameTh, h.nameEn]) : []);
  let number = options.firstNumber;

  const add = (type: HospitalType, nameTh: string, nameEn: string, district: District, spreadKm: number): void => {
    if (number > 999) throw new RangeError(`province ${province.code} has more than 999 hospitals`);
    usedNames.add(nameTh);
    usedNames.add(nameEn);
    const at = near(random, district.seat, spreadKm);
    out.push({
      code: `${province.code}${String(number).padStart(3, '0')}`,
      nameTh,
      nameEn,
      provinceCode: province.code,
      districtTh: district.th,
      districtEn: district.en,
      latitude: round5(at.latitude),
      longitude: round5(at.longitude),
      type,
      phone: phoneNumber(random, capital.areaCode),
    });
    number += 1;
  };
  const free = (nameTh: string, nameEn: string) => !usedNames.has(nameTh) && !usedNames.has(nameEn);
  const siteKm = bangkok ? 1.5 : 2.5;

  // The public backbone.
  if (bangkok) {
    add('general', `โรงพยาบาล${capitalDistrict.th}`, `${capitalDistrict.en} Hospital`, capitalDistrict, siteKm);
    const byKhet = new Map(districts.map((d) => [d.th, d]));
    const cityKhet = shuffled(random, districts.slice(1).filter((d) => !BANGKOK_UNIVERSITY_KHET.includes(d.th)));
    cityKhet.slice(0, BANGKOK_CITY_GENERAL + BANGKOK_CITY_COMMUNITY).forEach((district, index) => {
      add(index < BANGKOK_CITY_GENERAL ? 'general' : 'community', `โรงพยาบาล${district.th}`, `${district.en} Hospital`, district, siteKm);
    });
    for (const khet of BANGKOK_UNIVERSITY_KHET) {
      const district = byKhet.get(khet)!;
      add('university', `โรงพยาบาลมหาวิทยาลัย${district.th}`, `${district.en} University Hospital`, district, siteKm);
    }
  } else {
    if (REGIONAL_HOSPITAL_PROVINCES.has(province.code)) {
      add('regional', `โรงพยาบาลศูนย์${province.nameTh}`, `${province.nameEn} Regional Hospital`, capitalDistrict, siteKm);
    } else {
      add('general', `โรงพยาบาล${province.nameTh}`, `${province.nameEn} Hospital`, capitalDistrict, siteKm);
    }
    const generals = districtGeneralHospitals(capital.districts);
    districts.slice(1).forEach((district, index) => {
      add(index < generals ? 'general' : 'community', `โรงพยาบาล${district.th}`, `${district.en} Hospital`, district, siteKm);
    });
    if (UNIVERSITY_PROVINCES.has(province.code)) {
      add('university', `โรงพยาบาลมหาวิทยาลัย${province.nameTh}`, `${province.nameEn} University Hospital`, capitalDistrict, siteKm);
    }
  }

  // Private hospitals: mostly in the capital district, under a brand and a place name.
  for (let i = 0; i < options.privateCount; i++) {
    const district = random() < (bangkok ? 0 : 0.65) ? capitalDistrict : pick(random, districts);
    const place: Word = district === capitalDistrict && !bangkok ? [province.nameTh, province.nameEn] : [district.th, district.en];
    let name: Word | undefined;
    for (let attempt = 0; attempt < 40 && name === undefined; attempt++) {
      const [stemTh, stemEn] = pick(random, PRIVATE_STEMS);
      const candidate: Word = [`โรงพยาบาล${stemTh}${place[0]}`, `${stemEn} ${place[1]} Hospital`];
      if (free(...candidate)) name = candidate;
    }
    for (let n = 2; name === undefined; n++) {
      const [stemTh, stemEn] = PRIVATE_STEMS[0]!;
      const candidate: Word = [`โรงพยาบาล${stemTh}${place[0]} ${n}`, `${stemEn} ${place[1]} Hospital ${n}`];
      if (free(...candidate)) name = candidate;
    }
    add('private', name[0], name[1], district, siteKm);
  }

  // Field hospitals (2021's โรงพยาบาลสนาม, also vaccination sites), numbered within a district.
  for (let i = 0; i < options.fieldCount; i++) {
    const district = pick(random, districts);
    let nameTh = `โรงพยาบาลสนาม${district.th}`;
    let nameEn = `${district.en} Field Hospital`;
    for (let n = 2; !free(nameTh, nameEn); n++) {
      nameTh = `โรงพยาบาลสนาม${district.th} ${n}`;
      nameEn = `${district.en} Field Hospital ${n}`;
    }
    add('field', nameTh, nameEn, district, siteKm);
  }
  return out;
}

/**
 * All demo hospitals: DEMO_HOSPITALS, then every province's generated ones in code order,
 * `total` in all.
 */
export function generateHospitals(options: { seed?: number; total?: number } = {}): HospitalSeed[] {
  const seed = options.seed ?? HOSPITAL_SEED;
  const total = options.total ?? HOSPITAL_TOTAL;
  const capitals = provinces.map((p) => capitalOf(p.code));
  const backbone = DEMO_HOSPITALS.length + provinces.reduce((sum, p, i) => sum + publicHospitalCount(p, capitals[i]!), 0);
  const extra = total - backbone;
  if (extra < 0) throw new RangeError(`total ${total} is below the ${backbone} public hospitals every province needs`);
  const privateTotal = Math.round(extra * PRIVATE_SHARE);
  const privateCounts = apportion(
    privateTotal,
    capitals.map((c) => c.populationThousands * (c.provinceCode === '10' ? 4 : PRIVATE_HOTSPOTS.has(c.provinceCode) ? 2 : 1)),
  );
  const fieldCounts = apportion(extra - privateTotal, capitals.map((c) => c.populationThousands));

  const hospitals: HospitalSeed[] = [...DEMO_HOSPITALS];
  provinces.forEach((province, i) => {
    hospitals.push(
      ...provinceHospitals({
        province,
        capital: capitals[i]!,
        random: createRandom((seed ^ Math.imul(Number(province.code), 0x9e3779b1)) >>> 0),
        privateCount: privateCounts[i]!,
        fieldCount: fieldCounts[i]!,
        firstNumber: province.code === '10' ? FIRST_GENERATED_BANGKOK_NUMBER : 1,
      }),
    );
  });
  return hospitals;
}
