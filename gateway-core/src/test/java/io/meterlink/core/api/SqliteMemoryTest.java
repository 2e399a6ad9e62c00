package io.meterlink.core.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqliteMemoryTest {

    @Test
    void apply_setsTheRolesPageCacheAndNoMemoryMap_onARealDatabase(@TempDir Path dir) throws SQLException {
        for (SqliteMemory role : SqliteMemory.values()) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(role + ".db"));
                 Statement s = c.createStatement()) {
                s.execute("PRAGMA mmap_size = 1048576"); // what a build with memory-mapped I/O on would have
                role.apply(s);
                assertEquals(-role.cacheKib(), pragma(s, "cache_size"), role.name());
                assertEquals(0, pragma(s, "mmap_size"), role.name());
            }
        }
    }

    private static long pragma(Statement s, String name) throws SQLException {
        try (ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            assertTrue(rs.next(), name);
            return rs.getLong(1);
        }
    }
}
