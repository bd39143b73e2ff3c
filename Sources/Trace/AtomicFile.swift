import Foundation

/// Writes files so that a reader never sees a half-written one: the bytes go to a temporary file in the
/// same folder, which is then renamed over the destination (rename(2) is atomic within a file system).
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Writes `data` to `path`, creating the parent folders.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw WriteError(path: path, reason: "cannot create folder \(folder.path): \(error.localizedDescription)")
        }
        sweepStaleTemporaries(in: folder.path)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        if let failure = writeWhole(data, to: temporary) {
            unlink(temporary)
            throw WriteError(path: path, reason: reason(errno: failure, folder: folder.path))
        }
        if rename(temporary, url.path) != 0 {
            let failure = errno
            unlink(temporary)
            throw WriteError(path: path, reason: reason(errno: failure, folder: folder.path))
        }
    }

    /// Writes every byte of `data` to a new file at `path` and flushes it; nil on success, else the errno.
    /// (POSIX calls rather than `Data.write`, so that a full disk is told apart from a missing folder.)
    private static func writeWhole(_ data: Data, to path: String) -> Int32? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return errno }
        defer { close(descriptor) }
        var failure: Int32?
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += n
            }
        }
        if let failure { return failure }
        // tmpfs and some network file systems report ENOSPC only when the data is flushed.
        if fsync(descriptor) != 0 && errno != EINVAL && errno != EROFS { return errno }
        return nil
    }

    /// Why a write failed, and what the user can do about it.
    static func reason(errno code: Int32, folder: String) -> String {
        let cause = String(cString: strerror(code))
        switch code {
        case ENOSPC, EDQUOT:
            return "\(cause): the disk holding \(folder) is full; free some space or write elsewhere with -o FOLDER"
        case EFBIG:
            return "\(cause): this process may not write files this large (ulimit -f); raise the limit or write elsewhere with -o FOLDER"
        case EROFS:
            return "\(cause): \(folder) is on a read-only file system; write elsewhere with -o FOLDER"
        case EACCES, EPERM:
            return "\(cause): you may not write in \(folder); write elsewhere with -o FOLDER"
        default:
            return "\(cause); check that \(folder) exists and is writable"
        }
    }

    /// Folders already swept by this process (a sweep lists the folder once).
    private nonisolated(unsafe) static var swept: Set<String> = []
    private static let sweptLock = NSLock()

    /// Removes the temporary files (`.NAME.PID.tmp`) that a process killed between writing and renaming
    /// left in `folder`: those whose process no longer exists. Files of live processes are theirs.
    /// Runs once per folder per process.
    /// - Complexity: O(n) in the folder's entries, once.
    public static func sweepStaleTemporaries(in folder: String) {
        let first: Bool = sweptLock.withLock { swept.insert(folder).inserted }
        guard first, let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            let parts = name.dropLast(4).split(separator: ".")
            guard let pid = parts.last.flatMap({ Int32($0) }), pid > 0, pid != getpid() else { continue }
            // kill(pid, 0) fails with ESRCH when no such process exists (EPERM means it exists).
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(folder + "/" + name) }
        }
    }

    /// Writes a UTF-8 string.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// A path for a temporary file beside `path`, for producers that write files themselves (Cairo);
    /// rename it over `path` with `commit(temporary:to:)`.
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        sweepStaleTemporaries(in: url.deletingLastPathComponent().path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
    }

    /// Renames a finished temporary file over its destination.
    public static func commit(temporary: String, to path: String) throws {
        if rename(temporary, path) != 0 {
            let failure = errno
            unlink(temporary)
            throw WriteError(path: path, reason: reason(errno: failure, folder: URL(fileURLWithPath: path).deletingLastPathComponent().path))
        }
    }

    /// Checks, before any long work, that files can later be written into `folder` (created then if missing):
    /// the nearest part of the path that exists must be a folder that accepts a new file, probed with a file
    /// created and removed at once. A permission check would not do: root passes every `access(2)` check, yet
    /// cannot create files under /proc or on a read-only mount.
    /// - Throws: `WriteError` naming the folder and why.
    public static func checkWritableFolder(_ folder: String) throws {
        var existing = URL(fileURLWithPath: folder).standardizedFileURL
        var isFolder: ObjCBool = false
        while !FileManager.default.fileExists(atPath: existing.path, isDirectory: &isFolder) {
            existing.deleteLastPathComponent()
        }
        guard isFolder.boolValue else {
            throw WriteError(path: folder, reason: "\(existing.path) is a file, not a folder")
        }
        let probe = existing.appendingPathComponent(".simulate-probe-\(getpid())").path
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw WriteError(path: folder, reason: "cannot create a file in \(existing.path) (\(String(cString: strerror(errno))))")
        }
        close(descriptor)
        unlink(probe)
    }
}
