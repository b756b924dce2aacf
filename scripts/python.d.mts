/** Types of scripts/python.mjs. */
export declare const PYTHON_HINT: string;
export declare function findPython(): { python: string; torch: string; error?: undefined } | { error: string; python?: undefined; torch?: undefined };
