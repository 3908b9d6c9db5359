// tsc compiles the TypeScript; n8n also needs the icons next to the compiled files.
const { src, dest, task } = require('gulp');

task('build:icons', () => src('icons/**/*.{png,svg}').pipe(dest('dist/icons')));
