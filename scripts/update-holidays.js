#!/usr/bin/env node
// npm run holidays:update — refreshes England's bank holidays from GOV.UK into the shipped table.
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

fetch('https://www.gov.uk/bank-holidays.json')
  .then((res) => {
    if (!res.ok) throw new Error(`GOV.UK answered ${res.status}`);
    return res.json();
  })
  .then((data) => {
    const dates = data['england-and-wales'].events.map((e) => e.date).sort();
    const file = join(__dirname, '../libs/domain/src/calendar/england-bank-holidays.json');
    const table = {
      source: 'https://www.gov.uk/bank-holidays.json (division england-and-wales); refresh with npm run holidays:update',
      division: 'england-and-wales',
      dates,
    };
    writeFileSync(file, `${JSON.stringify(table, null, 2)}\n`);
    console.log(`${dates.length} bank holidays, ${dates[0]} to ${dates[dates.length - 1]}, written to ${file}`);
  })
  .catch((error) => {
    console.error(`could not update the bank holidays: ${error.message}`);
    process.exit(1);
  });
