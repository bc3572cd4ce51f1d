Feature: A host that does not answer counts as failed
  Scenario: A check hangs on one host
    Given I want to update hosts with class roles::dev_server
    And I want to update hosts with fact country=de
    And I allow at most 1 failed host per batch
    And each step may take up to 2 seconds
    Then the nrpe check check_hang should pass
    And the nrpe check check_load should pass
