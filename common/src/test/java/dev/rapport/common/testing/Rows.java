package dev.rapport.common.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

/** What a test reads back from a service's database: the first column of a query with one text parameter. */
public final class Rows {

    private Rows() {
    }

    /** The first column of every row, as text. */
    public static List<String> texts(DataSource db, String sql, String parameter) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, parameter);
            List<String> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
            return out;
        }
    }

    /** The first column of the first row, as text; null without a row. */
    public static String text(DataSource db, String sql, String parameter) throws SQLException {
        List<String> all = texts(db, sql, parameter);
        return all.isEmpty() ? null : all.get(0);
    }

    /** The first column of the first row as a number; 0 without a row or a value. */
    public static long number(DataSource db, String sql, String parameter) throws SQLException {
        String v = text(db, sql, parameter);
        return v == null ? 0 : Long.parseLong(v);
    }
}
