export const visitStrings = {
  title: 'Site visit',
  intro: 'Name the site and yourself. Both go on the install report the customer signs.',
  siteLabel: 'Site name',
  siteHint: 'For example: Plant 4 — Line 2 cabinet',
  siteMissing: 'Enter the site name to continue.',
  techLabel: 'Technician',
  techMissing: 'Enter your name to continue.',
  next: 'Next: add devices',
};
