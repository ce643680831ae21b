/** English messages of the screening feature: every key of screeningTh (checked by the type). */
import type { screeningTh } from './screening.th.js';

export const screeningEn: Record<keyof typeof screeningTh, string> = {
  'screening.choosePerson': 'Whom would you like to screen?',
  'screening.intro': 'Risk screening for {name}: about one minute.\nThe result tells you your priority group and from when you can book.\nTap "Back" to change an earlier answer, or type "cancel" to leave at any time.',
  'screening.progress': '({n}/{total})',

  'screening.askOccupation':
    'Which group does {name} work in?\n• Health workers, e.g. doctors, nurses, pharmacists, village health volunteers\n• Frontline staff, e.g. people in contact with COVID-19 patients, police, soldiers, immigration officers\n• Other work',
  'screening.occupation.health_worker': 'Health worker',
  'screening.occupation.frontline': 'Frontline staff',
  'screening.occupation.other': 'Other',
  'screening.pickFromButtons': 'Please choose an answer with the buttons below.',

  'screening.ask.respiratory': 'Does {name} have a severe chronic respiratory disease?\nFor example COPD (emphysema), or asthma that is not under control.',
  'screening.ask.cardiovascular': 'A heart or blood vessel disease?\nFor example coronary artery disease, heart failure, an irregular heartbeat, past heart surgery.',
  'screening.ask.kidney': 'Chronic kidney disease?\nFor example kidney disease stage 3 or worse, or dialysis.',
  'screening.ask.cerebrovascular': 'A cerebrovascular disease?\nFor example a past stroke, paralysis or weakness on one side.',
  'screening.ask.cancer': 'Cancer of any kind?\nFor example cancer under treatment, chemotherapy, radiotherapy or targeted therapy.',
  'screening.ask.diabetes': 'Diabetes?\nFor example taking tablets or insulin to control blood sugar.',
  'screening.answer.yes': 'Yes',
  'screening.answer.no': 'No',

  'screening.askWeight': 'Please type the weight of {name} in kilograms, e.g. 65 or 65.5\n(used to work out the body mass index for obesity).',
  'screening.badWeight': 'Sorry, we could not read that weight. Please type a number of kilograms, e.g. 65 or 65.5.',
  'screening.weightOutOfRange': 'The weight should be between 2 and 300 kg. Please check it and type it again.',
  'screening.askHeight': 'Please type the height in centimetres, e.g. 165',
  'screening.badHeight': 'Sorry, we could not read that height. Please type a number of centimetres, e.g. 165.',
  'screening.heightOutOfRange': 'The height should be between 40 and 250 cm. Please check it and type it again.',
  'screening.bodySizeImplausible': 'That weight and height do not fit together. Please check the height and type it again, or tap "Back" to change the weight.',

  'screening.askPregnancy': 'Is {name} pregnant, 12 weeks or more?\n(If less than 12 weeks, please answer "No" and screen again once 12 weeks are reached.)',
  'screening.pregnancy.yes': 'Yes, pregnant',
  'screening.pregnancy.no': 'No',

  'screening.group.health_worker': 'Health workers',
  'screening.group.frontline': 'Frontline staff',
  'screening.group.chronic_disease': 'People with one of the 7 chronic diseases',
  'screening.group.elderly': 'People aged 60 and over',
  'screening.group.pregnant': 'Pregnant women, 12 weeks or more',
  'screening.group.general': 'General public',

  'screening.disease.respiratory': 'Severe chronic respiratory disease',
  'screening.disease.cardiovascular': 'Cardiovascular disease',
  'screening.disease.kidney': 'Chronic kidney disease',
  'screening.disease.cerebrovascular': 'Cerebrovascular disease',
  'screening.disease.cancer': 'Cancer',
  'screening.disease.diabetes': 'Diabetes',
  'screening.disease.obesity': 'Obesity',

  'screening.result.title': 'Risk screening result',
  'screening.result.altText': 'Risk screening result for {name}: {group}',
  'screening.result.groupLabel': 'Group',
  'screening.result.canBook': 'You can book a vaccination now. Tap "Book now" to choose a hospital, day and time.',
  'screening.result.opensOn': 'This group can book from {date}.',
  'screening.result.noDateYet': 'No booking date has been set for this group yet. Please follow the Ministry of Public Health announcements.',
  'screening.result.diseasesLabel': 'Conditions',
  'screening.result.none': 'None',
  'screening.result.bmiLabel': 'BMI',
  'screening.result.bmiValue': '{bmi} (weight {weight} kg, height {height} cm)',
  'screening.result.obesityNote': 'A body mass index (BMI) over 35 or a weight over 100 kg counts as obesity, one of the 7 disease groups.',
  'screening.result.screenedAtLabel': 'Screened',
  'screening.result.latestCounts': 'Booking uses the latest screening. If your health changes (a pregnancy, a new diagnosis), tap "Screen again" at any time.',
  'screening.result.bookNow': 'Book now',
  'screening.result.redo': 'Screen again',
};
