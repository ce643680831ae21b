/** Thai messages of the reminders feature (keys prefixed 'reminders.'). Merged into ../th.ts. */
export const remindersTh = {
  'reminders.whoSelf': 'คุณมี',
  'reminders.whoOther': 'คุณ{name} มี',
  'reminders.tomorrow': '🔔 แจ้งเตือน: พรุ่งนี้ {date} {who}นัดฉีดวัคซีนโควิด-19 เข็มที่ {dose} เวลา {start}–{end} น. ที่ {hospital}\nกรุณานำบัตรประชาชนไปด้วย หากไปไม่ได้ เลื่อนหรือยกเลิกนัดได้จากบัตรนัดด้านล่าง',
  'reminders.today': '🔔 แจ้งเตือน: วันนี้ {date} {who}นัดฉีดวัคซีนโควิด-19 เข็มที่ {dose} เวลา {start}–{end} น. ที่ {hospital}\nกรุณานำบัตรประชาชนไปด้วย',
  'reminders.onDate': '🔔 แจ้งเตือน: วันที่ {date} {who}นัดฉีดวัคซีนโควิด-19 เข็มที่ {dose} เวลา {start}–{end} น. ที่ {hospital}',
} as const;
