/** Thai messages of the slots feature (keys prefixed 'slots.'). Merged into ../th.ts. */
export const slotsTh = {
  // ── Rebooking offer: pushed when a hospital closes or shrinks the slot someone booked ──
  'slots.rebooking.title': 'ต้องเลือกรอบฉีดวัคซีนใหม่',
  'slots.rebooking.closed': 'ขออภัย รอบฉีดวัคซีนที่ {hospital} วันที่ {date} เวลา {time} ถูกปิด',
  'slots.rebooking.reduced': 'ขออภัย รอบฉีดวัคซีนที่ {hospital} วันที่ {date} เวลา {time} ลดจำนวนผู้รับบริการลง',
  'slots.rebooking.kept': 'สิทธิ์เข็มที่ {dose} ของ {name} ยังอยู่ (รหัสนัด {code}) กรุณาเลือกรอบใหม่',
  'slots.rebooking.pick': 'สถานที่ใกล้เคียงที่ยังมีคิวว่าง (วัคซีน {product}):',
  'slots.rebooking.none': 'ขณะนี้ยังไม่มีคิวว่างใกล้เคียงใน 14 วันข้างหน้า กด "เลือกรอบใหม่" เพื่อค้นหาสถานที่อื่น',
  'slots.rebooking.choose': 'เลือกรอบใหม่',
  'slots.rebooking.cancel': 'ยกเลิกนัดนี้',
  'slots.rebooking.bookHere': 'จองที่นี่',
  'slots.rebooking.time': '{start}–{end} น.',
} as const;
