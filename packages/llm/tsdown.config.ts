import { defineConfig, type UserConfig } from 'tsdown';

const config: UserConfig = defineConfig({
  entry: {
    index: 'src/index.ts',
    'ai-sdk/index': 'src/ai-sdk/index.ts',
    'langchain/index': 'src/langchain/index.ts',
    'openai-agents-realtime/index': 'src/openai-agents-realtime/index.ts',
    'livekit/index': 'src/livekit/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'node',
});
export default config;
