/**
 * The 77 provinces of Thailand (76 changwat and Bangkok), seeded into the `province` table.
 *
 * - `code`: TIS 1099 two-digit province code (also the 2nd–3rd digits of the registration
 *   office in a Thai national ID). Codes are grouped by area, so they are not contiguous:
 *   there is no 28–29, 59, 68–69, 78–79 or 87–89. 38 (Bueng Kan) was added in 2011.
 * - `nameEn`: the Royal Thai General System of Transcription spelling used by ISO 3166-2:TH,
 *   except Bangkok, which we show under its common English name rather than
 *   "Krung Thep Maha Nakhon".
 * - `region`: the six geographical regions of the Royal Institute (1977), with Bangkok kept
 *   apart because campaign figures are always reported for it separately.
 */

export type Region = 'bangkok' | 'central' | 'north' | 'northeast' | 'east' | 'west' | 'south';

export interface ProvinceSeed {
  code: string;
  nameTh: string;
  nameEn: string;
  region: Region;
}

export const regions: readonly Region[] = ['bangkok', 'central', 'north', 'northeast', 'east', 'west', 'south'];

export const provinces: ReadonlyArray<ProvinceSeed> = [
  { code: '10', nameTh: 'กรุงเทพมหานคร', nameEn: 'Bangkok', region: 'bangkok' },
  { code: '11', nameTh: 'สมุทรปราการ', nameEn: 'Samut Prakan', region: 'central' },
  { code: '12', nameTh: 'นนทบุรี', nameEn: 'Nonthaburi', region: 'central' },
  { code: '13', nameTh: 'ปทุมธานี', nameEn: 'Pathum Thani', region: 'central' },
  { code: '14', nameTh: 'พระนครศรีอยุธยา', nameEn: 'Phra Nakhon Si Ayutthaya', region: 'central' },
  { code: '15', nameTh: 'อ่างทอง', nameEn: 'Ang Thong', region: 'central' },
  { code: '16', nameTh: 'ลพบุรี', nameEn: 'Lop Buri', region: 'central' },
  { code: '17', nameTh: 'สิงห์บุรี', nameEn: 'Sing Buri', region: 'central' },
  { code: '18', nameTh: 'ชัยนาท', nameEn: 'Chai Nat', region: 'central' },
  { code: '19', nameTh: 'สระบุรี', nameEn: 'Saraburi', region: 'central' },
  { code: '20', nameTh: 'ชลบุรี', nameEn: 'Chon Buri', region: 'east' },
  { code: '21', nameTh: 'ระยอง', nameEn: 'Rayong', region: 'east' },
  { code: '22', nameTh: 'จันทบุรี', nameEn: 'Chanthaburi', region: 'east' },
  { code: '23', nameTh: 'ตราด', nameEn: 'Trat', region: 'east' },
  { code: '24', nameTh: 'ฉะเชิงเทรา', nameEn: 'Chachoengsao', region: 'east' },
  { code: '25', nameTh: 'ปราจีนบุรี', nameEn: 'Prachin Buri', region: 'east' },
  { code: '26', nameTh: 'นครนายก', nameEn: 'Nakhon Nayok', region: 'central' },
  { code: '27', nameTh: 'สระแก้ว', nameEn: 'Sa Kaeo', region: 'east' },
  { code: '30', nameTh: 'นครราชสีมา', nameEn: 'Nakhon Ratchasima', region: 'northeast' },
  { code: '31', nameTh: 'บุรีรัมย์', nameEn: 'Buri Ram', region: 'northeast' },
  { code: '32', nameTh: 'สุรินทร์', nameEn: 'Surin', region: 'northeast' },
  { code: '33', nameTh: 'ศรีสะเกษ', nameEn: 'Si Sa Ket', region: 'northeast' },
  { code: '34', nameTh: 'อุบลราชธานี', nameEn: 'Ubon Ratchathani', region: 'northeast' },
  { code: '35', nameTh: 'ยโสธร', nameEn: 'Yasothon', region: 'northeast' },
  { code: '36', nameTh: 'ชัยภูมิ', nameEn: 'Chaiyaphum', region: 'northeast' },
  { code: '37', nameTh: 'อำนาจเจริญ', nameEn: 'Amnat Charoen', region: 'northeast' },
  { code: '38', nameTh: 'บึงกาฬ', nameEn: 'Bueng Kan', region: 'northeast' },
  { code: '39', nameTh: 'หนองบัวลำภู', nameEn: 'Nong Bua Lam Phu', region: 'northeast' },
  { code: '40', nameTh: 'ขอนแก่น', nameEn: 'Khon Kaen', region: 'northeast' },
  { code: '41', nameTh: 'อุดรธานี', nameEn: 'Udon Thani', region: 'northeast' },
  { code: '42', nameTh: 'เลย', nameEn: 'Loei', region: 'northeast' },
  { code: '43', nameTh: 'หนองคาย', nameEn: 'Nong Khai', region: 'northeast' },
  { code: '44', nameTh: 'มหาสารคาม', nameEn: 'Maha Sarakham', region: 'northeast' },
  { code: '45', nameTh: 'ร้อยเอ็ด', nameEn: 'Roi Et', region: 'northeast' },
  { code: '46', nameTh: 'กาฬสินธุ์', nameEn: 'Kalasin', region: 'northeast' },
  { code: '47', nameTh: 'สกลนคร', nameEn: 'Sakon Nakhon', region: 'northeast' },
  { code: '48', nameTh: 'นครพนม', nameEn: 'Nakhon Phanom', region: 'northeast' },
  { code: '49', nameTh: 'มุกดาหาร', nameEn: 'Mukdahan', region: 'northeast' },
  { code: '50', nameTh: 'เชียงใหม่', nameEn: 'Chiang Mai', region: 'north' },
  { code: '51', nameTh: 'ลำพูน', nameEn: 'Lamphun', region: 'north' },
  { code: '52', nameTh: 'ลำปาง', nameEn: 'Lampang', region: 'north' },
  { code: '53', nameTh: 'อุตรดิตถ์', nameEn: 'Uttaradit', region: 'north' },
  { code: '54', nameTh: 'แพร่', nameEn: 'Phrae', region: 'north' },
  { code: '55', nameTh: 'น่าน', nameEn: 'Nan', region: 'north' },
  { code: '56', nameTh: 'พะเยา', nameEn: 'Phayao', region: 'north' },
  { code: '57', nameTh: 'เชียงราย', nameEn: 'Chiang Rai', region: 'north' },
  { code: '58', nameTh: 'แม่ฮ่องสอน', nameEn: 'Mae Hong Son', region: 'north' },
  { code: '60', nameTh: 'นครสวรรค์', nameEn: 'Nakhon Sawan', region: 'central' },
  { code: '61', nameTh: 'อุทัยธานี', nameEn: 'Uthai Thani', region: 'central' },
  { code: '62', nameTh: 'กำแพงเพชร', nameEn: 'Kamphaeng Phet', region: 'central' },
  { code: '63', nameTh: 'ตาก', nameEn: 'Tak', region: 'west' },
  { code: '64', nameTh: 'สุโขทัย', nameEn: 'Sukhothai', region: 'central' },
  { code: '65', nameTh: 'พิษณุโลก', nameEn: 'Phitsanulok', region: 'central' },
  { code: '66', nameTh: 'พิจิตร', nameEn: 'Phichit', region: 'central' },
  { code: '67', nameTh: 'เพชรบูรณ์', nameEn: 'Phetchabun', region: 'central' },
  { code: '70', nameTh: 'ราชบุรี', nameEn: 'Ratchaburi', region: 'west' },
  { code: '71', nameTh: 'กาญจนบุรี', nameEn: 'Kanchanaburi', region: 'west' },
  { code: '72', nameTh: 'สุพรรณบุรี', nameEn: 'Suphan Buri', region: 'central' },
  { code: '73', nameTh: 'นครปฐม', nameEn: 'Nakhon Pathom', region: 'central' },
  { code: '74', nameTh: 'สมุทรสาคร', nameEn: 'Samut Sakhon', region: 'central' },
  { code: '75', nameTh: 'สมุทรสงคราม', nameEn: 'Samut Songkhram', region: 'central' },
  { code: '76', nameTh: 'เพชรบุรี', nameEn: 'Phetchaburi', region: 'west' },
  { code: '77', nameTh: 'ประจวบคีรีขันธ์', nameEn: 'Prachuap Khiri Khan', region: 'west' },
  { code: '80', nameTh: 'นครศรีธรรมราช', nameEn: 'Nakhon Si Thammarat', region: 'south' },
  { code: '81', nameTh: 'กระบี่', nameEn: 'Krabi', region: 'south' },
  { code: '82', nameTh: 'พังงา', nameEn: 'Phangnga', region: 'south' },
  { code: '83', nameTh: 'ภูเก็ต', nameEn: 'Phuket', region: 'south' },
  { code: '84', nameTh: 'สุราษฎร์ธานี', nameEn: 'Surat Thani', region: 'south' },
  { code: '85', nameTh: 'ระนอง', nameEn: 'Ranong', region: 'south' },
  { code: '86', nameTh: 'ชุมพร', nameEn: 'Chumphon', region: 'south' },
  { code: '90', nameTh: 'สงขลา', nameEn: 'Songkhla', region: 'south' },
  { code: '91', nameTh: 'สตูล', nameEn: 'Satun', region: 'south' },
  { code: '92', nameTh: 'ตรัง', nameEn: 'Trang', region: 'south' },
  { code: '93', nameTh: 'พัทลุง', nameEn: 'Phatthalung', region: 'south' },
  { code: '94', nameTh: 'ปัตตานี', nameEn: 'Pattani', region: 'south' },
  { code: '95', nameTh: 'ยะลา', nameEn: 'Yala', region: 'south' },
  { code: '96', nameTh: 'นราธิวาส', nameEn: 'Narathiwat', region: 'south' },
];
