// Word lists for synthetic people and places. Every combination is invented: the places are
// fictional, and first names and surnames are drawn independently, so no record describes a real person.

export const FIRST_NAMES = [
  'Amara', 'Ben', 'Cerys', 'Dev', 'Ella', 'Finn', 'Grace', 'Hari', 'Isla', 'Jay', 'Kira', 'Leo', 'Maya',
  'Noah', 'Orla', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wren', 'Xander', 'Yara', 'Zak',
  'Aiden', 'Bea', 'Cal', 'Dana', 'Eli', 'Faye', 'Gus', 'Hana', 'Ivo', 'Jude', 'Kit', 'Lola', 'Max', 'Nell',
] as const;

export const SURNAMES = [
  'Ashdown', 'Brackley', 'Carrow', 'Dunmore', 'Ellery', 'Fenwick', 'Garside', 'Halloway', 'Ingram', 'Jessop',
  'Kettering', 'Lindell', 'Marrow', 'Northey', 'Oakridge', 'Pellow', 'Quarrie', 'Rendle', 'Stannard', 'Tolley',
  'Upshall', 'Varney', 'Wickham', 'Yelland', 'Astbury', 'Birtles', 'Colebrook', 'Dimmock', 'Eastwell', 'Frisby',
] as const;

export const STREETS = [
  'Alder', 'Beacon', 'Copper', 'Dovecote', 'Elmfield', 'Foxglove', 'Granary', 'Hawthorn', 'Ironstone',
  'Juniper', 'Kingfisher', 'Larkspur', 'Meadow', 'Nettle', 'Orchard', 'Pinfold', 'Quarry', 'Rowan',
] as const;

export const STREET_KINDS = ['Road', 'Close', 'Lane', 'Street', 'Way', 'Gardens'] as const;

/** Fictional towns per LA: used for addresses, schools and GP practices. */
export const TOWNS = {
  LEICESTER: ['Westbury Park', 'Soarbank', 'Clockfield', 'Braunside', 'Highcross Vale', 'Abbeymede'],
  LEICESTERSHIRE: ['Wreakdale', 'Charnwick', 'Harby Magna', 'Sence Bridge', 'Lutterby', 'Ashfold', 'Kibley', 'Markfield Moor'],
  RUTLAND: ['Oakhamley', 'Uppingfold', 'Welland Cross', 'Edith Weston End'],
} as const;
