/**
 * Facts about each province's capital that the hospital generator (hospitals.ts) places and
 * sizes the demo hospitals with. Approximate on purpose: coordinates to about 0.01°, the
 * population as registered around 2020 in thousands (a weight, not a statistic), the number
 * of districts (amphoe; Bangkok's 50 khet) as in 2021, which add up to 878 outside Bangkok.
 *
 * - `areaCode`: the fixed-line prefix of the province (02 for Bangkok and its neighbours).
 * - `inlandBearing` / `spreadDegrees`: for capitals on a coast or a border river, the
 *   direction (degrees clockwise from north) in which the province lies, so that generated
 *   district seats fall on land in Thailand rather than in the sea or across the Mekong.
 *   Without it, districts are spread all around the capital.
 * - `radiusKm`: how far from the capital district seats may lie; by default it grows with the
 *   number of districts (see hospitals.ts). Given for small or narrow provinces.
 * Bangkok's 50 khet are real and placed at their own approximate centres (hospitals.ts).
 */

export interface ProvinceCapital {
  provinceCode: string;
  latitude: number;
  longitude: number;
  districts: number;
  populationThousands: number;
  areaCode: string;
  inlandBearing?: number;
  spreadDegrees?: number;
  radiusKm?: number;
}

export const provinceCapitals: ReadonlyArray<ProvinceCapital> = [
  { provinceCode: '10', latitude: 13.75, longitude: 100.5, districts: 50, populationThousands: 5588, areaCode: '02' },
  { provinceCode: '11', latitude: 13.6, longitude: 100.6, districts: 6, populationThousands: 1344, areaCode: '02', inlandBearing: 30, spreadDegrees: 60, radiusKm: 22 },
  { provinceCode: '12', latitude: 13.86, longitude: 100.51, districts: 6, populationThousands: 1265, areaCode: '02', radiusKm: 20 },
  { provinceCode: '13', latitude: 14.02, longitude: 100.53, districts: 7, populationThousands: 1176, areaCode: '02', radiusKm: 30 },
  { provinceCode: '14', latitude: 14.35, longitude: 100.57, districts: 16, populationThousands: 820, areaCode: '035' },
  { provinceCode: '15', latitude: 14.59, longitude: 100.45, districts: 7, populationThousands: 278, areaCode: '035', radiusKm: 25 },
  { provinceCode: '16', latitude: 14.8, longitude: 100.65, districts: 11, populationThousands: 758, areaCode: '036' },
  { provinceCode: '17', latitude: 14.89, longitude: 100.4, districts: 6, populationThousands: 210, areaCode: '036', radiusKm: 20 },
  { provinceCode: '18', latitude: 15.19, longitude: 100.13, districts: 8, populationThousands: 327, areaCode: '056' },
  { provinceCode: '19', latitude: 14.53, longitude: 100.91, districts: 13, populationThousands: 646, areaCode: '036' },
  { provinceCode: '20', latitude: 13.36, longitude: 100.98, districts: 11, populationThousands: 1559, areaCode: '038', inlandBearing: 130, spreadDegrees: 50 },
  { provinceCode: '21', latitude: 12.68, longitude: 101.28, districts: 8, populationThousands: 734, areaCode: '038', inlandBearing: 20, spreadDegrees: 60 },
  { provinceCode: '22', latitude: 12.61, longitude: 102.1, districts: 10, populationThousands: 537, areaCode: '039', inlandBearing: 10, spreadDegrees: 60 },
  { provinceCode: '23', latitude: 12.24, longitude: 102.52, districts: 7, populationThousands: 230, areaCode: '039', inlandBearing: 320, spreadDegrees: 30, radiusKm: 40 },
  { provinceCode: '24', latitude: 13.69, longitude: 101.07, districts: 11, populationThousands: 721, areaCode: '038' },
  { provinceCode: '25', latitude: 14.05, longitude: 101.37, districts: 7, populationThousands: 497, areaCode: '037' },
  { provinceCode: '26', latitude: 14.2, longitude: 101.21, districts: 4, populationThousands: 260, areaCode: '037', radiusKm: 25 },
  { provinceCode: '27', latitude: 13.82, longitude: 102.07, districts: 9, populationThousands: 566, areaCode: '037', inlandBearing: 270, spreadDegrees: 80 },
  { provinceCode: '30', latitude: 14.97, longitude: 102.1, districts: 32, populationThousands: 2648, areaCode: '044' },
  { provinceCode: '31', latitude: 14.99, longitude: 103.1, districts: 23, populationThousands: 1595, areaCode: '044' },
  { provinceCode: '32', latitude: 14.88, longitude: 103.49, districts: 17, populationThousands: 1396, areaCode: '044', inlandBearing: 0, spreadDegrees: 100 },
  { provinceCode: '33', latitude: 15.12, longitude: 104.32, districts: 22, populationThousands: 1473, areaCode: '045', inlandBearing: 0, spreadDegrees: 110 },
  { provinceCode: '34', latitude: 15.23, longitude: 104.86, districts: 25, populationThousands: 1878, areaCode: '045', inlandBearing: 270, spreadDegrees: 110 },
  { provinceCode: '35', latitude: 15.79, longitude: 104.15, districts: 9, populationThousands: 540, areaCode: '045' },
  { provinceCode: '36', latitude: 15.81, longitude: 102.03, districts: 16, populationThousands: 1142, areaCode: '044' },
  { provinceCode: '37', latitude: 15.86, longitude: 104.63, districts: 7, populationThousands: 378, areaCode: '045' },
  { provinceCode: '38', latitude: 18.36, longitude: 103.65, districts: 8, populationThousands: 424, areaCode: '042', inlandBearing: 150, spreadDegrees: 50 },
  { provinceCode: '39', latitude: 17.2, longitude: 102.44, districts: 6, populationThousands: 512, areaCode: '042' },
  { provinceCode: '40', latitude: 16.43, longitude: 102.83, districts: 26, populationThousands: 1802, areaCode: '043' },
  { provinceCode: '41', latitude: 17.41, longitude: 102.79, districts: 20, populationThousands: 1586, areaCode: '042' },
  { provinceCode: '42', latitude: 17.49, longitude: 101.72, districts: 14, populationThousands: 642, areaCode: '042', inlandBearing: 180, spreadDegrees: 80 },
  { provinceCode: '43', latitude: 17.88, longitude: 102.74, districts: 9, populationThousands: 522, areaCode: '042', inlandBearing: 170, spreadDegrees: 50 },
  { provinceCode: '44', latitude: 16.18, longitude: 103.3, districts: 13, populationThousands: 963, areaCode: '043' },
  { provinceCode: '45', latitude: 16.05, longitude: 103.65, districts: 20, populationThousands: 1308, areaCode: '043' },
  { provinceCode: '46', latitude: 16.43, longitude: 103.51, districts: 18, populationThousands: 985, areaCode: '043' },
  { provinceCode: '47', latitude: 17.16, longitude: 104.15, districts: 18, populationThousands: 1153, areaCode: '042' },
  { provinceCode: '48', latitude: 17.41, longitude: 104.78, districts: 12, populationThousands: 718, areaCode: '042', inlandBearing: 260, spreadDegrees: 60 },
  { provinceCode: '49', latitude: 16.54, longitude: 104.72, districts: 7, populationThousands: 352, areaCode: '042', inlandBearing: 260, spreadDegrees: 60 },
  { provinceCode: '50', latitude: 18.79, longitude: 98.98, districts: 25, populationThousands: 1779, areaCode: '053', inlandBearing: 200, spreadDegrees: 150 },
  { provinceCode: '51', latitude: 18.58, longitude: 99.01, districts: 8, populationThousands: 406, areaCode: '053', inlandBearing: 170, spreadDegrees: 50 },
  { provinceCode: '52', latitude: 18.29, longitude: 99.49, districts: 13, populationThousands: 741, areaCode: '054' },
  { provinceCode: '53', latitude: 17.62, longitude: 100.1, districts: 9, populationThousands: 454, areaCode: '055' },
  { provinceCode: '54', latitude: 18.14, longitude: 100.14, districts: 8, populationThousands: 442, areaCode: '054' },
  { provinceCode: '55', latitude: 18.78, longitude: 100.78, districts: 15, populationThousands: 478, areaCode: '054', inlandBearing: 0, spreadDegrees: 90 },
  { provinceCode: '56', latitude: 19.17, longitude: 99.9, districts: 9, populationThousands: 472, areaCode: '054' },
  { provinceCode: '57', latitude: 19.91, longitude: 99.83, districts: 18, populationThousands: 1298, areaCode: '053', inlandBearing: 150, spreadDegrees: 110 },
  { provinceCode: '58', latitude: 19.3, longitude: 97.97, districts: 7, populationThousands: 285, areaCode: '053', inlandBearing: 150, spreadDegrees: 40 },
  { provinceCode: '60', latitude: 15.7, longitude: 100.14, districts: 15, populationThousands: 1065, areaCode: '056' },
  { provinceCode: '61', latitude: 15.38, longitude: 100.02, districts: 8, populationThousands: 330, areaCode: '056', inlandBearing: 260, spreadDegrees: 60 },
  { provinceCode: '62', latitude: 16.48, longitude: 99.52, districts: 11, populationThousands: 730, areaCode: '055' },
  { provinceCode: '63', latitude: 16.87, longitude: 99.13, districts: 9, populationThousands: 665, areaCode: '055', inlandBearing: 220, spreadDegrees: 90 },
  { provinceCode: '64', latitude: 17.01, longitude: 99.82, districts: 9, populationThousands: 597, areaCode: '055' },
  { provinceCode: '65', latitude: 16.82, longitude: 100.26, districts: 9, populationThousands: 866, areaCode: '055' },
  { provinceCode: '66', latitude: 16.44, longitude: 100.35, districts: 12, populationThousands: 537, areaCode: '056' },
  { provinceCode: '67', latitude: 16.42, longitude: 101.16, districts: 11, populationThousands: 996, areaCode: '056', inlandBearing: 180, spreadDegrees: 120 },
  { provinceCode: '70', latitude: 13.54, longitude: 99.81, districts: 10, populationThousands: 873, areaCode: '032' },
  { provinceCode: '71', latitude: 14.0, longitude: 99.55, districts: 13, populationThousands: 895, areaCode: '034', inlandBearing: 320, spreadDegrees: 80 },
  { provinceCode: '72', latitude: 14.47, longitude: 100.12, districts: 10, populationThousands: 849, areaCode: '035' },
  { provinceCode: '73', latitude: 13.82, longitude: 100.06, districts: 7, populationThousands: 920, areaCode: '034', radiusKm: 25 },
  { provinceCode: '74', latitude: 13.55, longitude: 100.27, districts: 3, populationThousands: 585, areaCode: '034', inlandBearing: 330, spreadDegrees: 50, radiusKm: 20 },
  { provinceCode: '75', latitude: 13.41, longitude: 100.0, districts: 3, populationThousands: 193, areaCode: '034', inlandBearing: 340, spreadDegrees: 40, radiusKm: 14 },
  { provinceCode: '76', latitude: 13.11, longitude: 99.94, districts: 8, populationThousands: 485, areaCode: '032', inlandBearing: 230, spreadDegrees: 50 },
  { provinceCode: '77', latitude: 11.81, longitude: 99.8, districts: 8, populationThousands: 553, areaCode: '032', inlandBearing: 10, spreadDegrees: 10, radiusKm: 90 },
  { provinceCode: '80', latitude: 8.43, longitude: 99.96, districts: 23, populationThousands: 1561, areaCode: '075', inlandBearing: 230, spreadDegrees: 90 },
  { provinceCode: '81', latitude: 8.09, longitude: 98.91, districts: 8, populationThousands: 478, areaCode: '075', inlandBearing: 40, spreadDegrees: 50 },
  { provinceCode: '82', latitude: 8.45, longitude: 98.53, districts: 8, populationThousands: 268, areaCode: '076', inlandBearing: 10, spreadDegrees: 40 },
  { provinceCode: '83', latitude: 7.88, longitude: 98.39, districts: 3, populationThousands: 418, areaCode: '076', inlandBearing: 345, spreadDegrees: 20, radiusKm: 16 },
  { provinceCode: '84', latitude: 9.14, longitude: 99.33, districts: 19, populationThousands: 1068, areaCode: '077', inlandBearing: 200, spreadDegrees: 100 },
  { provinceCode: '85', latitude: 9.96, longitude: 98.64, districts: 5, populationThousands: 193, areaCode: '077', inlandBearing: 170, spreadDegrees: 20, radiusKm: 45 },
  { provinceCode: '86', latitude: 10.49, longitude: 99.18, districts: 8, populationThousands: 511, areaCode: '077', inlandBearing: 200, spreadDegrees: 60 },
  { provinceCode: '90', latitude: 7.19, longitude: 100.6, districts: 16, populationThousands: 1436, areaCode: '074', inlandBearing: 200, spreadDegrees: 60 },
  { provinceCode: '91', latitude: 6.62, longitude: 100.07, districts: 7, populationThousands: 324, areaCode: '074', inlandBearing: 10, spreadDegrees: 40 },
  { provinceCode: '92', latitude: 7.56, longitude: 99.61, districts: 10, populationThousands: 643, areaCode: '075', inlandBearing: 30, spreadDegrees: 80 },
  { provinceCode: '93', latitude: 7.62, longitude: 100.08, districts: 11, populationThousands: 524, areaCode: '074', inlandBearing: 270, spreadDegrees: 80, radiusKm: 35 },
  { provinceCode: '94', latitude: 6.87, longitude: 101.25, districts: 12, populationThousands: 725, areaCode: '073', inlandBearing: 170, spreadDegrees: 60, radiusKm: 35 },
  { provinceCode: '95', latitude: 6.54, longitude: 101.28, districts: 8, populationThousands: 536, areaCode: '073', inlandBearing: 180, spreadDegrees: 60 },
  { provinceCode: '96', latitude: 6.43, longitude: 101.82, districts: 13, populationThousands: 808, areaCode: '073', inlandBearing: 230, spreadDegrees: 60, radiusKm: 45 },
];

/** The capital of a province, or an error naming the missing code (a data mistake). */
export function capitalOf(provinceCode: string): ProvinceCapital {
  const capital = provinceCapitals.find((c) => c.provinceCode === provinceCode);
  if (!capital) throw new RangeError(`no capital for province ${provinceCode} in province-capitals.ts`);
  return capital;
}
