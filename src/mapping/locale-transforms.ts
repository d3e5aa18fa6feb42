import { createRequire } from 'node:module';
import type { CountryCode } from 'libphonenumber-js/max';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { RowProblem } from './row-problem.js';

type Countries = typeof import('i18n-iso-countries');

let countries: Countries | undefined;

/** i18n-iso-countries with only the English names, loaded on first use (its default entry loads ~100 languages). */
function loadCountries(): Countries {
  if (!countries) {
    const require = createRequire(import.meta.url);
    const library = require('i18n-iso-countries/index.js') as Countries;
    library.registerLocale(require('i18n-iso-countries/langs/en.json') as Parameters<Countries['registerLocale']>[0]);
    countries = library;
  }
  return countries;
}

/**
 * A phone number in E.164 (`+14155550123`), using libphonenumber's full metadata so a number of
 * the right length but an impossible prefix is refused too. Without a region, only numbers
 * written with `+` can be read.
 * @throws RowProblem `transform` when it is not a valid number
 */
export function e164(value: string, region: string | undefined): string | null {
  if (value.trim() === '') return null;
  const phone = parsePhoneNumberFromString(value, region ? { defaultCountry: region as CountryCode } : undefined);
  if (!phone?.isValid()) {
    throw new RowProblem('transform', `e164: is not a valid phone number${region ? ` (region ${region})` : ' (no options.phoneRegion, so it must start with +)'}`, value);
  }
  return phone.number;
}

/**
 * ISO 3166-1 alpha-2 (upper case) from alpha-2 in any case, alpha-3 in any case, or an English
 * country name (`Germany`, `united states`).
 * @throws RowProblem `transform` when the country is not known
 */
export function countryCode(value: string): string | null {
  const input = value.trim();
  if (input === '') return null;
  const library = loadCountries();
  const upper = input.toUpperCase();
  const code =
    (upper.length === 2 && library.isValid(upper) ? upper : undefined) ??
    (upper.length === 3 ? library.alpha3ToAlpha2(upper) : undefined) ??
    library.getAlpha2Code(input, 'en');
  if (!code) throw new RowProblem('transform', 'countryCode: is not a known country (alpha-2, alpha-3 or English name)', value);
  return code;
}
