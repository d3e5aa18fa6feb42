/**
 * Name pools for the demo users, by script, each name with an ASCII form for emails and usernames.
 * Every display name matches the API's name pattern (letters of any script, space, `'`, `-`):
 * precomposed accents only, and no scripts whose vowel signs are combining marks (Devanagari, Thai),
 * which the pattern's `\p{L}` does not cover.
 */
export interface NamePool {
  first: readonly (readonly [display: string, ascii: string])[];
  last: readonly (readonly [display: string, ascii: string])[];
  /** Countries, in the mixed case legacy data has ('us', 'DE'). */
  countries: readonly string[];
}

export const NAME_POOLS: readonly NamePool[] = [
  {
    first: [['Emma', 'emma'], ['Liam', 'liam'], ['Olivia', 'olivia'], ['Noah', 'noah'], ['Ava', 'ava'], ['Mary Ann', 'maryann'], ['Jack', 'jack']],
    last: [['Smith', 'smith'], ["O'Brien", 'obrien'], ['Johnson', 'johnson'], ['Taylor-Reed', 'taylorreed'], ['Walker', 'walker']],
    countries: ['US', 'us', 'GB', 'gb', 'CA', 'Ie', 'AU'],
  },
  {
    first: [['José', 'jose'], ['María', 'maria'], ['Zoë', 'zoe'], ['François', 'francois'], ['Jürgen', 'jurgen'], ['Søren', 'soren'], ['Łukasz', 'lukasz'], ['Anaïs', 'anais']],
    last: [['García', 'garcia'], ['Müller', 'muller'], ['Dvořák', 'dvorak'], ['Lefèvre', 'lefevre'], ['Håkansson', 'hakansson'], ['Núñez', 'nunez'], ['Wiśniewski', 'wisniewski']],
    countries: ['ES', 'es', 'DE', 'de', 'FR', 'Fr', 'DK', 'PL', 'CZ', 'SE', 'MX', 'AR'],
  },
  {
    first: [['Иван', 'ivan'], ['Ольга', 'olga'], ['Дмитрий', 'dmitry'], ['Γιώργος', 'giorgos'], ['Ελένη', 'eleni']],
    last: [['Петров', 'petrov'], ['Смирнова', 'smirnova'], ['Иванов', 'ivanov'], ['Παπαδόπουλος', 'papadopoulos']],
    countries: ['UA', 'ua', 'GR', 'gr', 'KZ', 'RS'],
  },
  {
    first: [['伟', 'wei'], ['芳', 'fang'], ['秀英', 'xiuying'], ['翔太', 'shota'], ['さくら', 'sakura'], ['민준', 'minjun'], ['서연', 'seoyeon']],
    last: [['王', 'wang'], ['李', 'li'], ['张', 'zhang'], ['佐藤', 'sato'], ['鈴木', 'suzuki'], ['김', 'kim'], ['박', 'park']],
    countries: ['CN', 'cn', 'JP', 'jp', 'KR', 'kr', 'TW', 'SG'],
  },
  {
    first: [['محمد', 'mohammed'], ['فاطمة', 'fatima'], ['علي', 'ali'], ['ليلى', 'layla'], ['יוסף', 'yosef'], ['נועה', 'noa']],
    last: [['العلي', 'alali'], ['حسن', 'hassan'], ['الخطيب', 'alkhatib'], ['כהן', 'cohen'], ['לוי', 'levi']],
    countries: ['AE', 'ae', 'EG', 'SA', 'sa', 'JO', 'IL', 'MA'],
  },
];

export const JOB_TITLES = [
  'Software Engineer', 'Product Manager', 'Head of Growth', 'R&D Lead', 'Designer', 'Data Scientist',
  'Founder', 'Community Manager', 'Trader', 'Student', 'DevRel, Web3', 'Analyst',
] as const;

export const EMAIL_DOMAINS = ['example.com', 'Example.org', 'mail.example.net', 'EXAMPLE.io', 'corp.example.com'] as const;

export const PLANS = ['free', 'free', 'free', 'pro', 'pro', 'team', 'enterprise'] as const;
