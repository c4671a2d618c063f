/** Set by vite.config.ts (`define`): the build this bundle came from. */
declare const __APP_BUILD__: string;

/** The id of the running build, shown with the update prompt and set on `<html data-build>`. */
export const APP_BUILD: string = typeof __APP_BUILD__ === 'string' ? __APP_BUILD__ : 'dev';
