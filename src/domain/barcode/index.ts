export * from './check-digit.ts';
export * from './gs1.ts';
export * from './labels.ts';
export * from './display.ts';
export * from './parse-scan.ts';
export * from './ai.ts';
