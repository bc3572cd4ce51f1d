package io.drover.security;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The audit log file. Lines are written straight to the file channel, with no buffer in between that could
 * hold a failed write back until a later flush: a record either reached the file when {@link #record} returns,
 * or {@code record} throws. After a failed write the partial line is cut off again, the channel closed and the
 * file reopened for the next record, so a full disk stops auditing only until space is freed.
 */
final class AuditFile implements AuditLog {
    private static final FileAttribute<Set<java.nio.file.attribute.PosixFilePermission>> MODE_0640 =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----"));

    private final Path file;
    private FileChannel channel;
    /** A failed write may have left a partial line that could not be cut off: start the next one on a new line. */
    private boolean newlineFirst;
    private boolean closed;

    AuditFile(Path file) throws IOException {
        this.file = file;
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        channel = open();
    }

    @Override
    public synchronized void record(Entry entry) throws IOException {
        if (closed) {
            throw new IOException("the audit log " + file + " is closed (the agent is stopping)");
        }
        byte[] line = AuditLine.encode(entry);
        FileChannel out = channel;
        try {
            if (out == null) {
                out = channel = open();
            }
        } catch (IOException e) {
            throw new IOException("cannot open " + file + ": " + cause(e), e);
        }
        long before = -1;
        try {
            before = out.size();
            ByteBuffer buffer = newlineFirst ? ByteBuffer.allocate(line.length + 1).put((byte) '\n').put(line).flip()
                    : ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            newlineFirst = false;
        } catch (IOException e) {
            discard(out, before);
            throw new IOException("cannot write " + file + ": " + cause(e), e);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing is buffered: every record already reached the file or failed
            }
            channel = null;
        }
    }

    private FileChannel open() throws IOException {
        FileChannel opened = Files.exists(file)
                ? FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
                : FileChannel.open(file, EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND, StandardOpenOption.CREATE),
                MODE_0640);
        newlineFirst |= endsWithoutNewline();
        return opened;
    }

    private boolean endsWithoutNewline() {
        try (FileChannel read = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = read.size();
            if (size == 0) {
                return false;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            return read.read(last, size - 1) == 1 && last.get(0) != '\n';
        } catch (IOException e) {
            return false;
        }
    }

    /** Takes back what a failed write left (a partial line) and drops the channel; the next record reopens it. */
    private void discard(FileChannel out, long before) {
        try {
            if (before >= 0 && out.size() > before) {
                out.truncate(before);
            }
        } catch (IOException | UnsupportedOperationException e) {
            newlineFirst = true;
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // the channel is dropped either way
        }
        channel = null;
    }

    private static String cause(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
