/** Scenes and characters: a fixed set, so they are safe as metric labels. */
export interface Character {
  readonly id: string;
  readonly scene: string;
  readonly persona: string;
  readonly llm: { readonly provider: 'openai' | 'anthropic'; readonly model: string };
  readonly tts: { readonly provider: 'elevenlabs' | 'cartesia'; readonly model: string; readonly voice: string };
  readonly stt: { readonly provider: 'deepgram' | 'openai'; readonly model: string };
}

export const CHARACTERS: readonly Character[] = [
  {
    id: 'captain',
    scene: 'submarine',
    persona: 'The calm captain of a research submarine.',
    llm: { provider: 'anthropic', model: 'claude-haiku-4-5' },
    tts: { provider: 'elevenlabs', model: 'eleven_flash_v2_5', voice: 'JBFqnCBsd6RMkjVDRZzb' },
    stt: { provider: 'deepgram', model: 'nova-3' },
  },
  {
    id: 'engineer',
    scene: 'submarine',
    persona: 'A cheerful engineer who loves the reactor.',
    llm: { provider: 'openai', model: 'gpt-4o-mini' },
    tts: { provider: 'cartesia', model: 'sonic-3', voice: 'a0e99841-438c-4a64-b679-ae501e7d6091' },
    stt: { provider: 'openai', model: 'whisper-1' },
  },
  {
    id: 'survivor',
    scene: 'life_raft',
    persona: 'A shipwreck survivor, tired but hopeful.',
    llm: { provider: 'openai', model: 'gpt-4o-mini' },
    tts: { provider: 'elevenlabs', model: 'eleven_flash_v2_5', voice: 'EXAVITQu4vr4xnSDxMaL' },
    stt: { provider: 'deepgram', model: 'nova-3' },
  },
  {
    id: 'narrator',
    scene: 'life_raft',
    persona: 'A narrator describing the sea and the weather.',
    llm: { provider: 'anthropic', model: 'claude-opus-4-1' },
    tts: { provider: 'cartesia', model: 'sonic-3', voice: 'a0e99841-438c-4a64-b679-ae501e7d6091' },
    stt: { provider: 'deepgram', model: 'nova-3' },
  },
  {
    id: 'guide',
    scene: 'welcome',
    persona: 'A friendly guide who explains how the experience works.',
    llm: { provider: 'openai', model: 'gpt-4o-mini' },
    tts: { provider: 'cartesia', model: 'sonic-3', voice: 'a0e99841-438c-4a64-b679-ae501e7d6091' },
    stt: { provider: 'openai', model: 'whisper-1' },
  },
];

const BY_ID = new Map(CHARACTERS.map((character) => [character.id, character]));

/** The character, or undefined for an unknown id (the caller answers 404: ids are never labels unchecked). */
export function findCharacter(id: unknown): Character | undefined {
  return typeof id === 'string' ? BY_ID.get(id) : undefined;
}

/** Intents the agent recognizes, for the conversation metrics (a closed set). */
export const INTENTS = ['greeting', 'question', 'navigation', 'smalltalk', 'goodbye'] as const;

export function intentOf(text: string): (typeof INTENTS)[number] {
  const lower = text.toLowerCase();
  if (/\b(hello|hi|ahoy)\b/.test(lower)) return 'greeting';
  if (/\b(bye|goodbye)\b/.test(lower)) return 'goodbye';
  if (/\b(where|how do i get|way to)\b/.test(lower)) return 'navigation';
  if (lower.includes('?')) return 'question';
  return 'smalltalk';
}
