import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Component tests of the views' logic, in happy-dom (the browser walks in test/console.test.ts drive chromium).
export default defineConfig({
  plugins: [react()],
  test: { environment: 'happy-dom', include: ['src/**/*.test.tsx', 'src/**/*.test.ts'] },
});
