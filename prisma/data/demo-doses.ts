/**
 * Doses the demo's hospitals "reported" for DEMO_PERSON before they registered: Sinovac, then
 * AstraZeneca 4 weeks later (Thailand's mixed schedule from July 2021). Register as
 * DEMO_PERSON in the emulator and the certificate is there at once.
 */
import type { HeldDose } from '../../src/domain/vaccination/held-dose-reports.js';

export const demoDoses: ReadonlyArray<HeldDose> = [
  {
    doseNumber: 1, productCode: 'SINOVAC', lotNumber: 'J202106007', administeredAt: new Date('2021-07-12T03:30:00Z'),
    hospitalCode: '10001', source: 'seed', sourceRecordId: 'demo-person-dose-1', recordedBy: 'seed',
  },
  {
    doseNumber: 2, productCode: 'AZ', lotNumber: 'A1070', administeredAt: new Date('2021-08-09T04:00:00Z'),
    hospitalCode: '10001', source: 'seed', sourceRecordId: 'demo-person-dose-2', recordedBy: 'seed',
  },
];
