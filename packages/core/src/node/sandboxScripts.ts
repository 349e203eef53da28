/**
 * `sh -c` script that writes stdin to the file named by `$1`, relative to the working
 * directory: it creates the folder, and replaces a symlink in the file's place rather than
 * writing through it.
 */
export const writeFileScript = 'mkdir -p -- "$(dirname -- "$1")" && rm -f -- "$1" && cat > "$1"';

/**
 * Prints, as JSON, which of the Python distributions named in argv are not installed. Used
 * instead of pip when the sandbox may not reach the network.
 */
export const missingPythonPackagesSource = `
import importlib.metadata, json, sys
missing = []
for name in sys.argv[1:]:
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        missing.append(name)
print(json.dumps(missing))
`;

/**
 * Prints, as JSON, which of the npm packages named in argv cannot be resolved from the
 * working directory. Used instead of npm when the sandbox may not reach the network.
 */
export const missingNodePackagesSource = `
const missing = process.argv.slice(1).filter((name) => {
  try {
    require.resolve(name + '/package.json', { paths: [process.cwd()] });
    return false;
  } catch (error) {
    return error.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED';
  }
});
console.log(JSON.stringify(missing));
`;
