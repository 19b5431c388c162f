/** `--locale` and `--currency` of the commands that serve the screen. */
import type { ScreenDisplay } from '../screen/screen-api.ts';
import { UsageError, type OptionSpec } from './options.ts';

/** The two flags, as both commands list them. */
export const DISPLAY_OPTIONS: readonly OptionSpec[] = [
  { name: 'locale', type: 'string', value: 'LOCALE', description: 'screen: number and date formats and the page\'s language (en, zh), a BCP 47 locale', default: 'en-US' },
  { name: 'currency', type: 'string', value: 'CODE', description: 'screen: the ISO 4217 currency of the amounts, e.g. CNY (default: amounts without a currency)' },
];

/** The display the flags ask for; UsageError naming the flag when a value is not a locale or a currency. */
export function readDisplay(options: ReadonlyMap<string, string | boolean>): ScreenDisplay {
  const locale = String(options.get('locale') ?? 'en-US');
  let canonical: string | undefined;
  try {
    [canonical] = Intl.getCanonicalLocales(locale);
  } catch {
    canonical = undefined;
  }
  if (canonical === undefined || Intl.NumberFormat.supportedLocalesOf([canonical]).length === 0) {
    throw new UsageError(`--locale: "${locale}" is not a locale this Node.js knows, such as en-US or zh-CN`);
  }
  const currency = options.get('currency');
  if (currency === undefined) return { locale: canonical };
  const code = String(currency).toUpperCase();
  if (!/^[A-Z]{3}$/.test(code) || !Intl.supportedValuesOf('currency').includes(code)) {
    throw new UsageError(`--currency: "${String(currency)}" is not an ISO 4217 currency code, such as CNY, USD or EUR`);
  }
  return { locale: canonical, currency: code };
}
