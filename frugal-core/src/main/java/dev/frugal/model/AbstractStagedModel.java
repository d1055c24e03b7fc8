package dev.frugal.model;

import dev.frugal.tensor.Device;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What every architecture shares: its config, its device, the three kinds of stage groups (one
 * {@code block.i} group per layer) and the Hugging Face {@code named_parameters()} order. Subclasses fill the groups
 * while loading and implement the forward stages.
 *
 * @param <C> the architecture's config record
 */
public abstract class AbstractStagedModel<C extends ModelConfig> implements StagedModel {
    protected final C cfg;
    protected final Device device;
    protected final ParamGroup embedding = new ParamGroup("embedding");
    protected final List<ParamGroup> blocks = new ArrayList<>();
    protected final ParamGroup head = new ParamGroup("head");
    private final List<String> order;

    /**
     * @param order every parameter name in {@code named_parameters()} order (tied weights once)
     */
    protected AbstractStagedModel(C cfg, Device device, Collection<String> order) {
        this.cfg = cfg;
        this.device = device;
        for (int i = 0; i < cfg.numLayers(); i++) blocks.add(new ParamGroup("block." + i));
        this.order = List.copyOf(order);
    }

    @Override
    public C config() { return cfg; }

    @Override
    public Device device() { return device; }

    @Override
    public ParamGroup embeddingParams() { return embedding; }

    @Override
    public List<ParamGroup> blockParams() { return blocks; }

    @Override
    public ParamGroup headParams() { return head; }

    @Override
    public List<String> parameterNames() { return order; }
}
