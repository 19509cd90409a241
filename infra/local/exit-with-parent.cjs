// Preloaded (node -r) into the dynalite child process of the embedded stack.
// The JVM holds the write end of this process's stdin. When the JVM goes away for any reason,
// including kill -9 or an IDE's stop button where no shutdown hook runs, stdin reaches end of file
// and the emulator exits with it instead of living on as an orphan that holds the port and the
// LevelDB lock of the state directory.
'use strict';
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
