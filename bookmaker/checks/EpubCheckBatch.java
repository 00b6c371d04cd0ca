// Runs EPUBCheck on several books in one JVM, so schema loading is paid once.
// Usage: java -cp epubcheck.jar EpubCheckBatch.java BOOK JSON [BOOK JSON ...]
// Writes EPUBCheck's JSON report of each BOOK to the JSON path after it.
public class EpubCheckBatch {
    public static void main(String[] args) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            String[] one = {args[i], "--json", args[i + 1], "--quiet"};
            new com.adobe.epubcheck.tool.EpubChecker().run(one);
        }
        System.exit(0);
    }
}
