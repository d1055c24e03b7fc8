package dev.frugal;

import java.util.Objects;

/**
 * A setting (a record component, a method parameter) with a value the user chose and the library refuses. It carries
 * the parameter's name as the library spells it ({@code eps}, {@code residentBlocks}); a front end maps that name to
 * its own spelling (the command line's {@code --eps}, {@code --resident-blocks}) with {@link #withParameterShownAs}.
 * The message is {@code "<parameter> <problem>"}.
 */
public class InvalidSettingException extends UserInputException {
    private final String parameter;
    private final String problem;

    /**
     * @param parameter the library's name of the setting ({@code eps})
     * @param problem   what is wrong and what is allowed, without the name ({@code "must be > 0, got -1.0"})
     */
    public InvalidSettingException(String parameter, String problem) {
        super(Objects.requireNonNull(parameter, "parameter") + " " + Objects.requireNonNull(problem, "problem"));
        this.parameter = parameter;
        this.problem = problem;
    }

    /** The setting's name as the library spells it. */
    public String parameter() { return parameter; }

    /** What is wrong, without the name. */
    public String problem() { return problem; }

    /** The same error with the setting shown as {@code shownAs} (e.g. a command-line flag). */
    public InvalidSettingException withParameterShownAs(String shownAs) {
        InvalidSettingException e = new InvalidSettingException(shownAs, problem);
        e.initCause(this);
        return e;
    }

    /** Throws unless {@code ok}: {@code require(eps > 0, "eps", "must be > 0, got " + eps)}. */
    public static void require(boolean ok, String parameter, String problem) {
        if (!ok) throw new InvalidSettingException(parameter, problem);
    }
}
