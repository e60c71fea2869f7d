-- Children's social care plans (SPEC section 1, feed `csc`) from the Standard Safeguarding
-- Dataset (data-to-insight/ssd-data-model, data/objects: ssd_cin_plans, ssd_cp_plans,
-- ssd_cla_episodes), each with its child from `person_at_event` (ssd_people.sql).
-- Grain: one row per plan line of the extract (`_table`, `_line` name it). Every line gives
-- a row: a plan whose person is not in ssd_person keeps blank person columns and the
-- contract quarantines it (missing required value), so nothing is lost.
with plans as (
    select 'ssd_cin_plans' as _table, _line, 'cin' as plan_type,
        cinp_cin_plan_start_date as start_date, cinp_cin_plan_end_date as end_date
    from ssd_cin_plans
    union all
    select 'ssd_cp_plans', _line, 'cp', cppl_cp_plan_start_date, cppl_cp_plan_end_date
    from ssd_cp_plans
    union all
    select 'ssd_cla_episodes', _line, 'lac', clae_cla_episode_start_date,
        clae_cla_episode_ceased_date
    from ssd_cla_episodes
),

final as (
    select person_at_event.*, plans.plan_type, plans.start_date, plans.end_date
    from plans
    join person_at_event using (_table, _line)
)

select * from final
